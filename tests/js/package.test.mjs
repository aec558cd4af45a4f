// The npm packages as users get them (apikey-credentials, what app pages load, and
// apikey-credentials-owner, the owner's tools): `npm pack` lists only what they need, and the
// tarballs install into a fresh project and work in Node 20, a plain HTML page and a Vite 7 app
// (built, then loaded in Chromium). The typings pass `tsc --noEmit --strict` over a realistic
// usage file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startEmulator, launchChromium } from "./harness.mjs";
// The build's JS parser (tools/), to check that the typings' examples parse.
import { parse as parseJs } from "../../tools/node_modules/acorn/dist/acorn.mjs";

const pkgDir = join(root, "pkg");
const ownerDir = join(root, "pkg-owner");
const packages = [["apikey-credentials", pkgDir], ["apikey-credentials-owner", ownerDir]];
const tools = join(root, "tests", "js", "node_modules", ".bin");
const npmEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

test("npm pack ships only what a user needs", () => {
  for (const [name, dir] of packages) {
    const out = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: dir, env: npmEnv }).toString());
    const files = out[0].files.map((f) => f.path).sort();
    // One JS module (the glue and its snippet are bundled into index.js), the wasm and the typings.
    assert.deepEqual(files, [
      "README.md", "apikey_credentials.d.ts", "apikey_credentials_bg.wasm",
      "apikey_credentials_bg.wasm.d.ts",
      // The owner package's CI guard (its bin, tests/js/cli.test.mjs).
      ...(name === "apikey-credentials-owner" ? ["cli.js"] : []),
      "index.d.ts", "index.js",
      // The app package's map integrations (subpath exports, each with its typings).
      ...(name === "apikey-credentials" ? ["arcgis", "key", "leaflet", "maplibre", "openlayers"]
        .flatMap((m) => (m === "key" ? [`maps/${m}.js`] : [`maps/${m}.d.ts`, `maps/${m}.js`])) : []),
      "node.js", "package.json",
    ], name);
    // Every subpath export names files that ship.
    for (const [sub, target] of Object.entries(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).exports)) {
      for (const f of typeof target === "string" ? [target] : Object.values(target)) assert.ok(files.includes(f.replace(/^\.\//, "")), `${name} ${sub}: ${f}`);
    }
    // The README is for page authors: theirs, not the repository's (no make, Debian or crate history).
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    assert.match(readme, new RegExp(`^# ${name}\n`), name);
    assert.doesNotMatch(readme, /\bmake (test|demo)\b|Debian|serde|gloo-net|cargo /, name);
    const js = readFileSync(join(dir, "index.js"), "utf8");
    assert.doesNotMatch(js, /^\s*import\s|\bimport\s*[{*]/m, "index.js imports nothing: it is self-contained");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
    assert.equal(manifest.name, name);
    assert.equal(manifest.version, /\[package\][^[]*?version\s*=\s*"([^"]+)"/s.exec(cargo)[1]);
    assert.equal(manifest.type, "module");
    assert.equal(manifest.sideEffects, false);
    assert.deepEqual(Object.keys(manifest.exports["."]), ["types", "node", "default"]);
    assert.deepEqual(manifest.bin, name === "apikey-credentials-owner" ? { "apikey-credentials": "./cli.js" } : undefined);
  }
});

test("every export's doc comment carries a JS example that parses, in the .d.ts", () => {
  for (const [name, dir] of packages) checkExamples(name, readFileSync(join(dir, "apikey_credentials.d.ts"), "utf8"));
});

function checkExamples(name, dts) {
  // The app package has fewer documented declarations (no owner tools, no credentials item).
  const floor = name === "apikey-credentials" ? 30 : 50;
  const generated = /^(export function initSync|export default function __wbg_init|free\(\)|\[Symbol\.dispose\])/;
  const missing = [];
  let checked = 0;
  const re = /\/\*\*([\s\S]*?)\*\/\s*\n\s*([^\n]+)/g;
  for (const m of dts.matchAll(re)) {
    const decl = m[2].trim();
    const isExport = /^(export (function|class)|static |readonly \w+|constructor\(|\w+\()/.test(decl);
    if (!isExport || generated.test(decl)) continue;
    checked += 1;
    if (!m[1].includes("```")) missing.push(decl.slice(0, 80));
  }
  assert.ok(checked > floor, `${name}: ${checked} documented declarations checked`);
  // Every example parses as a module (top-level await allowed), so it can be copied as it is.
  const unparsable = [];
  let examples = 0;
  for (const m of dts.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = m[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n");
    for (const b of body.matchAll(/```(?:js|javascript)?\n([\s\S]*?)```/g)) {
      examples += 1;
      try { parseJs(b[1], { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true }); }
      catch (e) { unparsable.push(`${e.message}: ${b[1].trim().slice(0, 120)}`); }
    }
  }
  assert.ok(examples > floor, `${name}: ${examples} examples parsed`);
  assert.deepEqual(unparsable, [], `${name}: examples that do not parse`);
  const declared = [...dts.matchAll(/^export (function|class) (\w+)/gm)].map((m) => m[2]);
  assert.ok(declared.length > 15, `${name}: exports found`);
  assert.deepEqual(missing, [], name);
}

test("typings: tsc --noEmit --strict over a realistic usage file", () => {
  execFileSync(join(tools, "tsc"), ["-p", join(root, "tests", "js", "types", "tsconfig.json")], { stdio: "pipe" });
});

test("typings: the map integrations fit maplibre-gl's, ol-mapbox-style's and @arcgis/core's own", () => {
  execFileSync(join(tools, "tsc"), ["-p", join(root, "tests", "js", "types", "maps.tsconfig.json")], { stdio: "pipe" });
});

test("the tarball works in Node 20, a plain HTML page and a Vite 7 app", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "apikey-pack-"));
  let emu = null;
  let browser = null;
  try {
    const tarballs = packages.map(([, dir]) => join(tmp, execFileSync("npm", ["pack", "--pack-destination", tmp], { cwd: dir, env: npmEnv }).toString().trim().split("\n").pop()));
    const app = join(tmp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh-app", private: true, type: "module" }));
    execFileSync("npm", ["install", ...tarballs, "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, env: npmEnv, stdio: "pipe" });

    // (c) Node 20: import both packages and init each. Each has its own
    // classes: the manager only in the app package, the owner tools and the credentials item
    // only in the owner package.
    writeFileSync(join(app, "node.mjs"), `
      import { readFile } from "node:fs/promises";
      import * as app from "apikey-credentials";
      import * as owner from "apikey-credentials-owner";
      // init() with no argument (Node's entry reads the .wasm), and with the bytes given.
      await app.default();
      await owner.default({ module_or_path: await readFile(new URL(import.meta.resolve("apikey-credentials-owner/apikey_credentials_bg.wasm"))) });
      const report = (p) => {
        let code = null;
        try { p.keyStatus("tomorrow"); } catch (e) { code = e instanceof p.CredentialError && e instanceof Error ? e.code : "wrong"; }
        // The bundle is minified: the public classes must still carry their own names.
        const names = ["CredentialError", "CredentialManager", "PortalSession", "ReferrerRules", "ApiKeyCredentials"]
          .filter((n) => typeof p[n] === "function").map((n) => p[n].name);
        return { version: p.version(), allowed: p.checkReferrer(["https://*.example.com"], "https://a.example.com/").allowed, code, names,
          prerequisites: typeof p.checkPrerequisites, fromPortal: typeof p.ApiKeyCredentials?.fromPortal, ics: typeof p.rotationReminderIcs };
      };
      console.log(JSON.stringify([report(app), report(owner)]));
    `);
    const node = JSON.parse(execFileSync(process.execPath, ["node.mjs"], { cwd: app }).toString());
    const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
    assert.deepEqual(node, [
      { version, allowed: true, code: "INVALID_ARGUMENT", names: ["CredentialError", "CredentialManager", "ReferrerRules"],
        prerequisites: "undefined", fromPortal: "undefined", ics: "undefined" },
      { version, allowed: true, code: "INVALID_ARGUMENT", names: ["CredentialError", "PortalSession", "ReferrerRules", "ApiKeyCredentials"],
        prerequisites: "function", fromPortal: "function", ics: "function" },
    ]);

    // (b) Vite 7: build the app, the bundler must find and emit the .wasm.
    writeFileSync(join(app, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>vite</title></head>
      <body><script type="module" src="/main.js"></script></body></html>`);
    writeFileSync(join(app, "main.js"), `
      import init, { version, checkReferrer } from "apikey-credentials";
      import initOwner, { maskKey } from "apikey-credentials-owner";
      await Promise.all([init(), initOwner()]);
      document.body.dataset.masked = maskKey("AAPTxy" + "z".repeat(60));
      document.body.dataset.version = version();
      document.body.dataset.allowed = String(checkReferrer([location.origin], location.origin + "/").allowed);
    `);
    execFileSync(join(tools, "vite"), ["build", "--logLevel", "warn"], { cwd: app, stdio: "pipe" });
    const assets = execFileSync("ls", [join(app, "dist", "assets")]).toString();
    assert.equal(assets.match(/\.wasm/g)?.length, 2, `both packages' .wasm emitted: ${assets}`);

    // (a) A plain HTML page importing the installed package with <script type="module">.
    const plain = join(tmp, "plain");
    mkdirSync(plain);
    writeFileSync(join(plain, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>plain</title></head><body>
      <script type="module">
        import init, { version, checkReferrer } from "/pkg/index.js";
        await init();
        document.body.dataset.version = version();
        document.body.dataset.allowed = String(checkReferrer([location.origin], location.origin + "/").allowed);
      </script></body></html>`);

    browser = await launchChromium();
    for (const [www, pkg] of [[plain, join(app, "node_modules", "apikey-credentials")], [join(app, "dist"), pkgDir]]) {
      emu = await startEmulator(["--www", www, "--pkg", pkg, "--alt-port", "none"]);
      const page = await browser.newPage();
      const problems = [];
      page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${emu.url}/`);
      await page.waitForSelector("body[data-version]", { timeout: 15000, state: "attached" }).catch((e) => { throw new Error(`${www}: ${problems.join("; ")} ${e.message}`); });
      assert.equal(await page.getAttribute("body", "data-version"), version, www);
      assert.equal(await page.getAttribute("body", "data-allowed"), "true");
      if (www !== plain) assert.match(await page.getAttribute("body", "data-masked"), /^AAPT…/, "the owner package works beside the app package");
      assert.deepEqual(problems, [], www);
      await page.close();
      await emu.stop();
      emu = null;
    }
  } finally {
    if (browser) await browser.close();
    if (emu) await emu.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
