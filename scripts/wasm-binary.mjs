// The few pieces of the WebAssembly binary format the build scripts need (shorten-names.mjs,
// order-functions.mjs): LEB128 numbers, names, sections, import descriptors.

/** Reads an unsigned LEB128 number at `pos`: [value, position after it]. */
export function readU32(buf, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [result >>> 0, pos];
}

/** An unsigned LEB128 number. */
export function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/** Reads a name (length-prefixed UTF-8) at `pos`: [string, position after it]. */
export function readName(buf, pos) {
  const [len, p] = readU32(buf, pos);
  return [buf.subarray(p, p + len).toString("utf8"), p + len];
}

/** A name, encoded. */
export const name = (s) => { const b = Buffer.from(s, "utf8"); return Buffer.concat([u32(b.length), b]); };

/** Skips an import descriptor (function, table, memory, global, tag): [kind, its end]. */
export function skipImportDesc(buf, pos) {
  const kind = buf[pos++];
  const limits = (p) => { const flags = buf[p++]; let q = readU32(buf, p)[1]; if (flags & 1) q = readU32(buf, q)[1]; return q; };
  switch (kind) {
    case 0: return [kind, readU32(buf, pos)[1]]; // function: type index
    case 1: return [kind, limits(pos + 1)]; // table: reftype, limits
    case 2: return [kind, limits(pos)]; // memory: limits
    case 3: return [kind, pos + 2]; // global: valtype, mutability
    case 4: return [kind, readU32(buf, pos + 1)[1]]; // tag: attribute, type index
    default: throw new Error(`unknown import kind ${kind}`);
  }
}

/** The module's sections, in order: [{ id, body }]. Throws when `wasm` is not a module. */
export function sections(wasm, what = "input") {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error(`${what} is not a wasm module`);
  const out = [];
  for (let pos = 8; pos < wasm.length;) {
    const id = wasm[pos];
    const [size, start] = readU32(wasm, pos + 1);
    out.push({ id, body: wasm.subarray(start, start + size) });
    pos = start + size;
  }
  return out;
}

/** A module from the header of `wasm` and `list` ([{ id, body }]). */
export function assemble(wasm, list) {
  const parts = [wasm.subarray(0, 8)];
  for (const s of list) parts.push(Buffer.from([s.id]), u32(s.body.length), s.body);
  return Buffer.concat(parts);
}
