// The npm package as users get it: `npm pack` lists only what they need, and the tarball installs
// into a fresh project and works in Node 20, a plain HTML page and a Vite 7 app (built, then
// loaded in Chromium). The typings pass `tsc --noEmit --strict` over a realistic usage file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startEmulator, launchChromium } from "./harness.mjs";

const pkgDir = join(root, "pkg");
const tools = join(root, "tests", "js", "node_modules", ".bin");
const npmEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

test("npm pack ships only what a user needs", () => {
  const out = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkgDir, env: npmEnv }).toString());
  const files = out[0].files.map((f) => f.path).sort();
  // One JS module (the glue and its snippet are bundled into index.js), the wasm and the typings.
  assert.deepEqual(files, [
    "README.md", "apikey_credentials.d.ts", "apikey_credentials_bg.wasm",
    "apikey_credentials_bg.wasm.d.ts", "index.d.ts", "index.js", "package.json",
  ]);
  const js = readFileSync(join(pkgDir, "index.js"), "utf8");
  assert.doesNotMatch(js, /^\s*import\s|\bimport\s*[{*]/m, "index.js imports nothing: it is self-contained");
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
  assert.equal(manifest.version, /\[package\][^[]*?version\s*=\s*"([^"]+)"/s.exec(cargo)[1]);
  assert.equal(manifest.type, "module");
  assert.equal(manifest.sideEffects, false);
  assert.deepEqual(Object.keys(manifest.exports["."]), ["types", "default"]);
});

test("every export's doc comment carries a JS example, in the .d.ts", () => {
  const dts = readFileSync(join(pkgDir, "apikey_credentials.d.ts"), "utf8");
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
  assert.ok(checked > 60, `${checked} documented declarations checked`);
  const declared = [...dts.matchAll(/^export (function|class) (\w+)/gm)].map((m) => m[2]);
  assert.ok(declared.length > 15, "exports found");
  assert.deepEqual(missing, []);
});

test("typings: tsc --noEmit --strict over a realistic usage file", () => {
  execFileSync(join(tools, "tsc"), ["-p", join(root, "tests", "js", "types", "tsconfig.json")], { stdio: "pipe" });
});

test("the tarball works in Node 20, a plain HTML page and a Vite 7 app", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "apikey-pack-"));
  let emu = null;
  let browser = null;
  try {
    const tarball = execFileSync("npm", ["pack", "--pack-destination", tmp], { cwd: pkgDir, env: npmEnv }).toString().trim().split("\n").pop();
    const app = join(tmp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "fresh-app", private: true, type: "module" }));
    execFileSync("npm", ["install", join(tmp, tarball), "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, env: npmEnv, stdio: "pipe" });

    // (c) Node 20: import the package, init from the .wasm bytes.
    writeFileSync(join(app, "node.mjs"), `
      import { readFile } from "node:fs/promises";
      import init, { version, checkReferrer, keyStatus, CredentialError, CredentialManager, PortalSession, ReferrerRules, ApiKeyCredentials } from "apikey-credentials";
      await init({ module_or_path: await readFile(new URL(import.meta.resolve("apikey-credentials/apikey_credentials_bg.wasm"))) });
      let code = null;
      try { keyStatus("tomorrow"); } catch (e) { code = e instanceof CredentialError && e instanceof Error ? e.code : "wrong"; }
      // The bundle is minified: the public classes must still carry their own names.
      const names = [CredentialError, CredentialManager, PortalSession, ReferrerRules, ApiKeyCredentials].map((c) => c.name);
      console.log(JSON.stringify({ version: version(), allowed: checkReferrer(["https://*.example.com"], "https://a.example.com/").allowed, code, names }));
    `);
    const node = JSON.parse(execFileSync(process.execPath, ["node.mjs"], { cwd: app }).toString());
    const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
    assert.deepEqual(node, {
      version, allowed: true, code: "INVALID_ARGUMENT",
      names: ["CredentialError", "CredentialManager", "PortalSession", "ReferrerRules", "ApiKeyCredentials"],
    });

    // (b) Vite 7: build the app, the bundler must find and emit the .wasm.
    writeFileSync(join(app, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>vite</title></head>
      <body><script type="module" src="/main.js"></script></body></html>`);
    writeFileSync(join(app, "main.js"), `
      import init, { version, checkReferrer } from "apikey-credentials";
      await init();
      document.body.dataset.version = version();
      document.body.dataset.allowed = String(checkReferrer([location.origin], location.origin + "/").allowed);
    `);
    execFileSync(join(tools, "vite"), ["build", "--logLevel", "warn"], { cwd: app, stdio: "pipe" });
    const assets = execFileSync("ls", [join(app, "dist", "assets")]).toString();
    assert.match(assets, /\.wasm/);

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
