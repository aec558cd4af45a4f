// Minifies the JavaScript the package ships (wasm-bindgen's glue and its snippets) in place with
// esbuild (a dev dependency through Vite): whitespace, syntax and local names only. Exported
// names, class names (`keepNames`) and the module's imports/exports are kept, so the typings and
// `import.meta.url` loading are unchanged; a file that would not get smaller is left as is. Usage: node scripts/minify.mjs pkg
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";

const require = createRequire(new URL("../tests/js/package.json", import.meta.url));
const { transformSync } = require("esbuild");

const dir = process.argv[2] ?? "pkg";
const walk = (d) => readdirSync(d).flatMap((f) => {
  const p = join(d, f);
  return statSync(p).isDirectory() ? walk(p) : [p];
});
for (const file of walk(dir).filter((f) => f.endsWith(".js"))) {
  const src = readFileSync(file, "utf8");
  const { code } = transformSync(src, {
    minify: true,
    keepNames: true,
    format: "esm",
    target: "es2020",
    legalComments: "none",
  });
  // Tiny modules can grow (the keepNames helper): keep whichever is smaller gzipped.
  const gz = (s) => gzipSync(s, { level: 9 }).length;
  if (gz(code) >= gz(src)) continue;
  writeFileSync(file, code);
  console.log(`minify: ${file} ${src.length} → ${code.length} bytes`);
}
