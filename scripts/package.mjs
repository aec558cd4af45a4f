// Turns wasm-bindgen's output directory into an npm package: package.json from its manifest
// (pkg.json or pkg-owner.json, with the version from Cargo.toml), an entry module that also exports CredentialError, its typings,
// Node's entry, and the README for page authors.
import { readFileSync, writeFileSync, readdirSync, existsSync, copyFileSync, statSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const out = process.argv[2] ?? "pkg";
const manifestFile = process.argv[3] ?? "pkg.json";
const cargo = readFileSync("Cargo.toml", "utf8");
const pkgSection = cargo.slice(cargo.indexOf("[package]"));
const version = /^version\s*=\s*"([^"]+)"/m.exec(pkgSection)?.[1];
if (!version) throw new Error("no version in Cargo.toml [package]");

const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
manifest.version = version;
writeFileSync(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

// The CredentialError class lives in a wasm-bindgen snippet whose folder name carries a hash.
const snippets = join(out, "snippets");
const dirs = existsSync(snippets) ? readdirSync(snippets) : [];
if (dirs.length !== 1) throw new Error(`expected one snippet folder, found ${dirs.length}`);
// Several inline snippets exist (the error class, the fetch chain): pick the one defining the class.
// (Module files the crate names, such as src/web/oauth.js, sit in folders beside them.)
const snippetFiles = readdirSync(join(snippets, dirs[0])).filter((f) => statSync(join(snippets, dirs[0], f)).isFile());
const errorFile = snippetFiles.find((f) => /export class CredentialError\b/.test(readFileSync(join(snippets, dirs[0], f), "utf8")));
if (!errorFile) throw new Error(`no snippet defines CredentialError (found ${snippetFiles.join(", ")})`);
const errorModule = `./snippets/${dirs[0]}/${errorFile}`;

// The bundle is minified without esbuild's keepNames, which would wrap every function of the glue
// in a naming call (run again for each closure created per request) and keep wasm-bindgen's long
// hashed internal names; only the public classes get their names back, once, here.
const glue = readFileSync(join(out, "apikey_credentials.js"), "utf8");
const classes = [...glue.matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
if (classes.length === 0) throw new Error("no exported class in the glue");
writeFileSync(
  join(out, "index.js"),
  `import { ${classes.join(", ")} } from "./apikey_credentials.js";
import { CredentialError } from "${errorModule}";
export { default } from "./apikey_credentials.js";
export * from "./apikey_credentials.js";
export { CredentialError };
for (const [c, name] of [${[...classes, "CredentialError"].map((c) => `[${c}, "${c}"]`).join(", ")}])
  Object.defineProperty(c, "name", { value: name });
`,
);
writeFileSync(
  join(out, "index.d.ts"),
  `export { default } from "./apikey_credentials.js";
export * from "./apikey_credentials.js";
`,
);
// Node's entry (the package's "node" export condition): `init()` with no argument reads the .wasm
// beside it, since Node's fetch cannot load a file: URL. Browsers and bundlers get index.js.
writeFileSync(
  join(out, "node.js"),
  `import { readFile } from "node:fs/promises";
import initWasm from "./index.js";
export * from "./index.js";
export default async function init(options) {
  return initWasm(options ?? { module_or_path: await readFile(new URL("./apikey_credentials_bg.wasm", import.meta.url)) });
}
`,
);
// The owner package's CI guard, `npx apikey-credentials check` (its bin; see the README).
if (manifest.bin) copyFileSync(join("src", "cli", "apikey-credentials.mjs"), join(out, "cli.js"));
// The app package's map integrations (src/maps: plain JavaScript beside the wasm, one module per
// map library, as subpath exports such as "apikey-credentials/maplibre").
if (manifest.files.includes("maps/")) {
  mkdirSync(join(out, "maps"));
  for (const f of readdirSync(join("src", "maps"))) copyFileSync(join("src", "maps", f), join(out, "maps", f));
}
// The package's README is for page authors (docs/npm/<name>.md), not the repository's.
copyFileSync(join("docs", "npm", `${manifest.name}.md`), join(out, "README.md"));
