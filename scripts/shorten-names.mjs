// Shortens the names the .wasm and its JS glue use to talk to each other, as Emscripten does in
// its size-optimised builds: wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and
// each export after its Rust item, and both files carry every name (the hashes do not compress).
// Renamed, consistently in both files and in the typings that list them:
//   - the import modules (the glue itself and the snippet modules) → "a", "b", …;
//   - the glue's own imports (the keys of its import object) → short names;
//   - the exports, except `memory` (part of `init()`'s documented result) → short names.
// The snippet modules' imports keep their names (the glue passes those modules as namespaces).
// Every rename must be found exactly where expected, or the build fails.
// Usage: node scripts/shorten-names.mjs pkg   (after wasm-bindgen, before scripts/minify.mjs)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readU32, u32, readName, name, skipImportDesc, sections as readSections, assemble } from "./wasm-binary.mjs";

const dir = process.argv[2] ?? "pkg";
const crate = "apikey_credentials";
const wasmPath = join(dir, `${crate}_bg.wasm`);
const gluePath = join(dir, `${crate}.js`);
const typingPaths = [join(dir, `${crate}.d.ts`), join(dir, `${crate}_bg.wasm.d.ts`)];
const glueModule = `./${crate}_bg.js`;

// a, b, …, z, A, …, Z, aa, ab, … (never "memory").
function shortName(i) {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / alphabet.length)) s = alphabet[(n - 1) % alphabet.length] + s;
  return s;
}

const wasm = readFileSync(wasmPath);
const modules = new Map(); // old module name → new
const imports = new Map(); // old field name (glue module only) → new
const exportsMap = new Map(); // old export name → new
const sections = readSections(wasm, wasmPath).map(({ id, body }) => {
  if (id === 2) {
    let [count, p] = readU32(body, 0);
    const parts = [u32(count)];
    for (let i = 0; i < count; i++) {
      let mod, field;
      [mod, p] = readName(body, p);
      [field, p] = readName(body, p);
      const descStart = p;
      p = skipImportDesc(body, p)[1];
      if (!modules.has(mod)) modules.set(mod, shortName(modules.size));
      let newField = field;
      if (mod === glueModule) {
        if (!imports.has(field)) imports.set(field, shortName(imports.size));
        newField = imports.get(field);
      }
      parts.push(name(modules.get(mod)), name(newField), body.subarray(descStart, p));
    }
    return { id, body: Buffer.concat(parts) };
  }
  if (id === 7) {
    let [count, p] = readU32(body, 0);
    const parts = [u32(count)];
    for (let i = 0; i < count; i++) {
      let exp;
      [exp, p] = readName(body, p);
      const descStart = p;
      p = readU32(body, p + 1)[1]; // kind, index
      const renamed = exp === "memory" ? exp : shortName(exportsMap.size);
      if (exp !== "memory") exportsMap.set(exp, renamed);
      parts.push(name(renamed), body.subarray(descStart, p));
    }
    return { id, body: Buffer.concat(parts) };
  }
  return { id, body };
});
if (!modules.has(glueModule)) throw new Error(`the module imports nothing from ${glueModule}`);

// --- the glue ---
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function replaceExactly(text, pattern, replacement, times, what) {
  const found = text.match(pattern)?.length ?? 0;
  if (times !== undefined ? found !== times : found === 0) {
    throw new Error(`shorten-names: ${what}: expected ${times ?? "at least one"} match, found ${found}`);
  }
  return text.replace(pattern, replacement);
}
const oldGlue = readFileSync(gluePath, "utf8");
let glue = oldGlue;
for (const [oldName, newName] of imports) {
  glue = replaceExactly(glue, new RegExp(`^(\\s*)${escape(oldName)}:`, "gm"), `$1${newName}:`, 1, `import ${oldName}`);
}
for (const [oldName, newName] of modules) {
  glue = replaceExactly(glue, new RegExp(`"${escape(oldName)}":`, "g"), `"${newName}":`, 1, `import module ${oldName}`);
}
for (const [oldName, newName] of exportsMap) {
  // Every use goes through the `wasm` exports object; an export the glue never uses is fine.
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, "g"), `wasm.${newName}`);
}
writeFileSync(gluePath, glue);

// --- the typings that list the exports: `InitOutput` in the glue's typings (only that
// interface: other interfaces may have properties named like a free function), and the raw
// module's declarations ---
const renameDeclarations = (text) => {
  for (const [oldName, newName] of exportsMap) {
    text = text.replace(new RegExp(`^(\\s*(?:readonly|export const) )${escape(oldName)}:`, "gm"), `$1${newName}:`);
  }
  return text;
};
{
  const [dts, rawDts] = typingPaths;
  const text = readFileSync(dts, "utf8");
  const start = text.indexOf("export interface InitOutput {");
  const end = text.indexOf("\n}", start);
  if (start < 0 || end < 0) throw new Error(`shorten-names: no InitOutput interface in ${dts}`);
  writeFileSync(dts, text.slice(0, start) + renameDeclarations(text.slice(start, end)) + text.slice(end));
  writeFileSync(rawDts, renameDeclarations(readFileSync(rawDts, "utf8")));
}

const out = assemble(wasm, sections);
writeFileSync(wasmPath, out);
console.log(`shorten-names: ${imports.size} imports, ${modules.size} modules, ${exportsMap.size} exports; ` +
  `wasm ${wasm.length} → ${out.length} bytes, glue ${oldGlue.length} → ${glue.length}`);
