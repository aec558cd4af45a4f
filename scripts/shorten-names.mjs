// Shortens the names the .wasm and its JS glue use to talk to each other, as Emscripten does in
// its size-optimised builds: wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` and
// each export after its Rust item, and both files carry every name (the hashes do not compress).
// Renamed, consistently in both files and in the typings that list them:
//   - the import modules (the glue itself and the snippet modules) → "a", "b", …;
//   - the glue's own imports (the keys of its import object) → short names;
//   - the exports, except `memory` (part of `init()`'s documented result) → short names.
// The snippet modules' imports keep their names (the glue passes those modules as namespaces).
// Every rename must be found exactly where expected, or the build fails: the .wasm and the glue
// are parsed (scripts/wasm-binary.mjs, scripts/glue-names.mjs), never searched with patterns.
// Usage: node scripts/shorten-names.mjs pkg   (after wasm-bindgen, before scripts/minify.mjs)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readU32, u32, readName, name, skipImportDesc, sections as readSections, assemble } from "./wasm-binary.mjs";
import { renameInGlue } from "./glue-names.mjs";

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

// --- the glue, parsed (acorn): every name is renamed at the one node it must be found at ---
// wasm-bindgen's glue has this shape, and anything else fails the build:
//   function __wbg_get_imports() {
//     const import0 = { __proto__: null, <import>: function (…) {…}, … };   // the glue module
//     return { __proto__: null, "<module>": import0, "<snippet module>": import1, … };
//   }
// and every use of an export is `wasm.<export>`.
const oldGlue = readFileSync(gluePath, "utf8");
const glue = renameInGlue(oldGlue, { modules, imports, exports: exportsMap, glueModule });
writeFileSync(gluePath, glue);

// --- the typings that list the exports: `InitOutput` in the glue's typings (only that
// interface: other interfaces may have properties named like a free function), and the raw
// module's declarations ---
// Declarations are one per line, `readonly <name>: …;` or `export const <name>: …;`; each line
// that declares a name must declare an export, or the build fails.
const renameDeclarations = (text, file) =>
  text.split("\n").map((line) => {
    const m = /^(\s*(?:readonly|export const) )([A-Za-z_$][\w$]*)(:.*)$/.exec(line);
    if (!m || m[2] === "memory") return line;
    const renamed = exportsMap.get(m[2]);
    if (!renamed) throw new Error(`shorten-names: ${file} declares ${m[2]}, which the module does not export`);
    return m[1] + renamed + m[3];
  }).join("\n");
{
  const [dts, rawDts] = typingPaths;
  const text = readFileSync(dts, "utf8");
  const start = text.indexOf("export interface InitOutput {");
  const end = text.indexOf("\n}", start);
  if (start < 0 || end < 0) throw new Error(`shorten-names: no InitOutput interface in ${dts}`);
  writeFileSync(dts, text.slice(0, start) + renameDeclarations(text.slice(start, end), dts) + text.slice(end));
  writeFileSync(rawDts, renameDeclarations(readFileSync(rawDts, "utf8"), rawDts));
}

const out = assemble(wasm, sections);
writeFileSync(wasmPath, out);
console.log(`shorten-names: ${imports.size} imports, ${modules.size} modules, ${exportsMap.size} exports; ` +
  `wasm ${wasm.length} → ${out.length} bytes, glue ${oldGlue.length} → ${glue.length}`);
