// Bundles and minifies the JavaScript the package ships, with esbuild (pinned in tools/package.json): the entry module, wasm-bindgen's glue and its snippet become one minified `index.js`
// (one module fetch instead of three at start-up). Exported names are kept; keepNames is not used
// (the entry module, scripts/package.mjs, gives the public classes their names back);
// `new URL("apikey_credentials_bg.wasm", import.meta.url)` is left as is, so the module still
// finds the .wasm next to it. The unbundled glue and snippets are then removed: the
// package's `exports` only ever exposed `index.js`. Usage: node scripts/minify.mjs pkg
import { readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tools/package.json", import.meta.url));
const { buildSync, transformSync } = require("esbuild");

const dir = process.argv[2] ?? "pkg";
const entry = join(dir, "index.js");
const before = readFileSync(join(dir, "apikey_credentials.js")).length;
buildSync({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  minify: true,
  format: "esm",
  platform: "neutral",
  target: "es2020",
  legalComments: "none",
  logLevel: "warning",
});
// The map integrations (maps/*.js, app package only) are minified each on its own: modules that
// import one another (./key.js), each page loading only the one it uses.
const maps = join(dir, "maps");
if (existsSync(maps)) {
  for (const f of readdirSync(maps).filter((n) => n.endsWith(".js"))) {
    const file = join(maps, f);
    writeFileSync(file, transformSync(readFileSync(file, "utf8"), { minify: true, format: "esm", target: "es2020", legalComments: "none" }).code);
  }
}
rmSync(join(dir, "apikey_credentials.js"));
if (existsSync(join(dir, "snippets"))) rmSync(join(dir, "snippets"), { recursive: true });
console.log(`bundle: ${entry} ${readFileSync(entry).length} bytes (glue was ${before})`);
