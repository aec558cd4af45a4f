// The build's rename of the names shared by the .wasm and its glue (scripts/glue-names.mjs)
// edits exactly the nodes it must, and fails loudly when wasm-bindgen's output has another shape.
// Run on wasm-bindgen's real output of this build, then on glues changed the ways a new
// wasm-bindgen could change them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renameInGlue } from "../../scripts/glue-names.mjs";

const root = new URL("../../", import.meta.url).pathname;
const GLUE = "./apikey_credentials_bg.js";

// A glue in wasm-bindgen's shape, small enough to read.
const glue = (extra = "") => `
let wasm;
export function version() { return wasm.version_h(1); }
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_now_0123456789abcdef: function() { return Date.now(); },
        __wbg_log_fedcba9876543210: function(a) { console.log(a); },
        unusedByTheModule: function() {},
    };
    return {
        __proto__: null,
        "${GLUE}": import0,
        "./snippets/x/inline0.js": import1,
    };
}
function finish() { wasm.__wbindgen_start(); return wasm.memory; }
${extra}`;

const names = () => ({
  glueModule: GLUE,
  modules: new Map([[GLUE, "a"], ["./snippets/x/inline0.js", "b"]]),
  imports: new Map([["__wbg_now_0123456789abcdef", "a"], ["__wbg_log_fedcba9876543210", "b"]]),
  exports: new Map([["version_h", "a"], ["__wbindgen_start", "b"]]),
});

test("each name is renamed where it is defined or used, and nothing else changes", () => {
  const out = renameInGlue(glue("const s = 'wasm.version_h and __wbg_now_0123456789abcdef in a string';"), names());
  assert.match(out, /^\s+a: function\(\) \{ return Date\.now\(\); \},$/m);
  assert.match(out, /^\s+b: function\(a\) \{ console\.log\(a\); \},$/m);
  assert.match(out, /^\s+unusedByTheModule: function/m, "an import the module does not use keeps its name");
  assert.match(out, /"a": import0,\n\s+"b": import1,/);
  assert.match(out, /return wasm\.a\(1\)/);
  assert.match(out, /wasm\.b\(\); return wasm\.memory;/, "memory keeps its name");
  assert.match(out, /'wasm\.version_h and __wbg_now_0123456789abcdef in a string'/, "strings are not code");
});

test("a glue in another shape fails the build, naming what is missing", () => {
  const cases = [
    [glue().replace("function __wbg_get_imports", "function getImports"), /no function __wbg_get_imports/],
    [glue().replace("return {\n        __proto__", "const r = {\n        __proto__").replace("    };\n}\nfunction finish", "    };\n    return r;\n}\nfunction finish"), /does not return an object literal/],
    [glue().replace(`"${GLUE}": import0,`, ""), /no module ".\/apikey_credentials_bg.js"/],
    [glue().replace("__wbg_log_fedcba9876543210:", "__wbg_log_0000000000000000:"), /imports __wbg_log_fedcba9876543210, which import0 does not define/],
    [glue("wasm.renamed_export();"), /uses wasm\.renamed_export, which the module does not export/],
    [glue().replace(`"./snippets/x/inline0.js": import1,`, `"./snippets/x/inline0.js": import1,\n        "./other.js": import2,`), /returns module "\.\/other\.js", which the \.wasm does not import/],
  ];
  for (const [source, expected] of cases) {
    assert.throws(() => renameInGlue(source, names()), expected);
  }
});

test("wasm-bindgen's real output of this build is renamed completely", () => {
  const module = join(root, "target/package/pkg.wasm");
  assert.ok(existsSync(module), "the package build's module (make test builds it first)");
  const dir = mkdtempSync(join(tmpdir(), "glue-"));
  execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", dir, "--out-name", "apikey_credentials", module]);
  const log = execFileSync("node", [join(root, "scripts/shorten-names.mjs"), dir], { encoding: "utf8" });
  assert.match(log, /shorten-names: \d+ imports, \d+ modules, \d+ exports/);
  const out = readFileSync(join(dir, "apikey_credentials.js"), "utf8");
  // wasm-bindgen's hashed import names (`__wbg_<name>_<16 hex digits>`) are gone from the code.
  assert.deepEqual(out.match(/^\s+__wbg_\w+_[0-9a-f]{16}:/gm), null);
  assert.deepEqual(out.match(/\bwasm\.(?!memory\b)\w{3,}/g), null, "every export the glue uses has a short name");
});
