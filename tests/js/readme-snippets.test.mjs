// Every code block of the READMEs runs as written: the repository's README.md and the npm
// packages' READMEs (docs/npm/*.md). A block's info string says how (the first word is the
// language, for highlighting):
//   sh install         `npm install <package>`: done with the packed tarballs, into a fresh project
//   js node            a Node 20 module, run in that project
//   html page | js page   a page (a js block becomes one module script), served from an origin other
//                      than the portal's, opened in Chromium
//   js vite            the `main.js` of a Vite 7 app in that project, under `vite` (dev server)
//                      and `vite build`; `js vite-config` is its vite.config.js
//   <lang> not-run: <why>   not run, with the reason
// Placeholders are filled the way a reader of the README fills them when trying it against the
// emulator: the portal URL, YOUR_KEY_1/2 (the seeded "Store locator" keys: key 1 about to expire,
// key 2 healthy), YOUR_USERNAME/PASSWORD (the seeded owner), YOUR_CREDENTIALS_ITEM_ID (that
// item), YOUR_WEB_MAP_ITEM_ID (the web map its keys may read), https://app.example.com (the
// origin the pages are served from). The app package's blocks first need that origin in the
// keys' referrer list, which the owner README's "Allow your page's origin" tells the reader to do;
// the test does it the same way before them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startEmulator, launchChromium, loadPackage, serve } from "./harness.mjs";

const DOCS = ["README.md", "docs/npm/apikey-credentials.md", "docs/npm/apikey-credentials-owner.md"];
const MODES = new Set(["install", "node", "page", "vite", "vite-config", "not-run"]);
const tools = join(root, "tests", "js", "node_modules");
const npmEnv = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
const PASSWORD = "snippet-owner-password";

/** The fenced code blocks of a markdown file, with their line, language, mode and reason. */
function blocks(file) {
  const text = readFileSync(join(root, file), "utf8");
  const out = [];
  const re = /^```(\S*)(?: +([^\n]*))?\n([\s\S]*?)^```$/gm;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split("\n").length;
    const [mode, ...why] = (m[2] ?? "").split(":");
    out.push({ file, line, lang: m[1], mode: mode.trim(), reason: why.join(":").trim(), code: m[3] });
  }
  return out;
}

// What each runnable block must show, found by a line of its code. A block without an entry
// fails the test: every example says what it shows.
const EXPECT = [
  // app package
  { doc: 1, has: "manager.inspect(); // asks the portal", page: /^2 of 2 keys work with Local portal \(emulated\)\.\s+critical: \S/ },
  { doc: 1, has: "url.searchParams.set(\"SingleLine\", \"Redlands\")", page: /^[^:]*Redlands[^:]*: -117\.\d+, 34\.\d+$/ },
  { doc: 1, has: "bindMapLibre(map, manager); // refusals", page: /\bkey 1: \d+ requests, key 2: [1-9]\d* requests$/ },
  { doc: 1, has: "manager.status().map", page: /^key 1: critical, [1-7] days left; key 2: active, \d{3} days left$/ },
  { doc: 1, has: "keyStatus(new Date(", out: /^critical\ntrue\n$/ },
  { doc: 1, has: "getItem(\"YOUR_WEB_MAP_ITEM_ID\"", out: /^Local portal \(emulated\) City parks web map\n$/ },
  // owner package
  { doc: 2, has: "PortalSession.signInWithOAuth(\"https://www.arcgis.com\"", click: "#sign-in", page: /^Sign in with ArcGIS\s+Signed in as demo_owner$/ },
  { doc: 2, has: "[...creds.httpReferrers, \"https://app.example.com\"]", out: (o, ctx) => assert.deepEqual(JSON.parse(o.replace(/'/g, '"')), [...ctx.seededReferrers, ctx.pageOrigin]) },
  {
    doc: 2, has: "for (const creds of await session.listCredentials())",
    out: (o) => {
      assert.match(o, /^Store locator \(key 1 about to expire\): deploySecondary\. /m);
      assert.match(o, /^  deploy key 2 to the app by /m);
      assert.match(o, /^Old dashboard \(expired and invalidated\): regenerate\. .*\n  new key AAPT…[\w-]{4} in slot 1, valid until /m);
      assert.match(o, /^Field app \(key 2 never generated\): none\. /m);
      assert.doesNotMatch(o, /AAPT[\w-]{20,}/, "no raw key printed");
    },
  },
  { doc: 2, has: "rotationReminderIcs(creds.rotationPlan())", file: ["rotation.ics", /^BEGIN:VCALENDAR\r?\n[\s\S]*Store locator[\s\S]*END:VCALENDAR\r?\n?$/] },
];
const expectationFor = (docIndex, block) => {
  const found = EXPECT.filter((e) => e.doc === docIndex && block.code.includes(e.has));
  assert.equal(found.length, 1, `${block.file}:${block.line}: one expectation for this block (found ${found.length})`);
  return found[0];
};

test("every block in the READMEs says how it runs, or why it does not", () => {
  const problems = [];
  for (const file of DOCS) {
    for (const b of blocks(file)) {
      if (!MODES.has(b.mode)) problems.push(`${file}:${b.line}: \`\`\`${b.lang} ${b.mode}: no known mode`);
      if (b.mode === "not-run" && b.reason.length < 10) problems.push(`${file}:${b.line}: not-run needs a reason`);
    }
  }
  assert.deepEqual(problems, []);
  // The README for contributors runs nothing; the packages' READMEs are mostly runnable.
  for (const file of DOCS.slice(1)) assert.ok(blocks(file).filter((b) => b.mode !== "not-run").length >= 4, file);
});

function freePort() {
  const s = createServer();
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); }));
}

/** Opens `url`, clicks `click` if given (as the reader would), and waits until the page's text
 * matches `expected` (or fails with what it shows). A sign-in popup on the emulator's OAuth page
 * is filled in with the demo owner's login, as the reader would type it. */
async function openPage(browser, url, expected, where, click) {
  const page = await browser.newPage();
  page.on("popup", async (popup) => {
    await popup.waitForSelector("input[name=username]");
    await popup.fill("input[name=username]", "demo_owner");
    await popup.fill("input[name=password]", PASSWORD);
    await popup.click("button[value=sign-in]");
  });
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  try {
    await page.goto(url);
    if (click) await page.click(click);
    await page.waitForFunction((src) => new RegExp(src.source, src.flags).test(document.body.innerText.trim()),
      { source: expected.source, flags: expected.flags }, { timeout: 20000 }).catch(async () => {
      throw new Error(`${where}: the page shows ${JSON.stringify(await page.evaluate(() => document.body.innerText))}; errors: ${problems.join("; ")}`);
    });
    await page.waitForLoadState("networkidle");
    assert.deepEqual(problems, [], `${where}: console errors`);
  } finally {
    await page.close();
  }
}

test("the README snippets run as written, against the emulator", { timeout: 600000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), "apikey-snippets-"));
  const app = join(tmp, "app");
  mkdirSync(app);
  let emu = null, server = null, browser = null, vite = null;
  try {
    // A fresh project: the tarballs installed where the READMEs say `npm install`, Esri's
    // client beside them (the version the other tests use).
    const names = { "apikey-credentials": join(root, "pkg"), "apikey-credentials-owner": join(root, "pkg-owner") };
    const tarballs = {};
    for (const [name, dir] of Object.entries(names)) {
      tarballs[name] = join(tmp, execFileSync("npm", ["pack", "--pack-destination", tmp], { cwd: dir, env: npmEnv }).toString().trim().split("\n").pop());
    }
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "readme-app", private: true, type: "module" }));
    // Linked again after each `npm install`, which prunes what package.json does not list.
    const linkExtras = () => {
      mkdirSync(join(app, "node_modules", "@esri"), { recursive: true });
      for (const p of ["@esri/arcgis-rest-request", "@esri/arcgis-rest-portal", "@esri/arcgis-rest-fetch", "@esri/arcgis-rest-form-data", "vite", "maplibre-gl"]) {
        if (!existsSync(join(app, "node_modules", p))) symlinkSync(join(tools, p), join(app, "node_modules", p));
      }
    };

    emu = await startEmulator(["--alt-port", "none", "--demo-password", PASSWORD]);
    server = await serve(app);
    const vitePort = await freePort();
    const { keys } = await (await fetch(`${emu.url}/emulator/seeded-keys`)).json();
    const store = keys.filter((k) => k.title.startsWith("Store locator")).sort((a, b) => a.slot - b.slot);
    assert.equal(store.length, 2);
    // Test set-up, as the reader does it by the owner README: the pages' origins appended to the
    // keys' referrers (the owner README's own block appends the page origin once more).
    const owner = await loadPackage("pkg-owner");
    const session = await owner.PortalSession.signIn(emu.portal, "demo_owner", PASSWORD);
    const creds = await session.getCredentials(store[0].itemId);
    // The Vite dev server's origin, as a reader adds theirs; the pages' origin is the owner
    // README block's to add.
    const viteOrigin = `http://127.0.0.1:${vitePort}`;
    const seededReferrers = (await session.updateReferrers(creds.itemId, [...creds.httpReferrers, viteOrigin])).httpReferrers;
    const webMap = creds.itemAccess[0];
    assert.match(webMap, /^[0-9a-f]{32}$/);
    const ctx = { seededReferrers, pageOrigin: server.origin };
    // The owner README's OAuth app, as its reader sets it up: the callback page (empty), and its
    // URL among the app's redirect URIs (on a real portal, in the app's settings).
    writeFileSync(join(app, "oauth-callback.html"), "<!doctype html><title>Signing in</title>");
    const { oauthClientId } = await (await fetch(`${emu.url}/emulator/demo-login`)).json();
    const ownerToken = (await (await fetch(`${emu.portal}/sharing/rest/generateToken`, { method: "POST",
      body: new URLSearchParams({ username: "demo_owner", password: PASSWORD, f: "json" }) })).json()).token;
    const registered = await (await fetch(`${emu.portal}/sharing/rest/oauth2/apps/${oauthClientId}/update`, { method: "POST",
      body: new URLSearchParams({ redirect_uris: JSON.stringify([`${server.origin}/oauth-callback.html`]), httpReferrers: "[]", privileges: "[]", token: ownerToken, f: "json" }) })).json();
    assert.ok(!registered.error, JSON.stringify(registered));
    const fill = (code) => code
      .replaceAll("https://www.arcgis.com", emu.portal)
      .replaceAll("https://geocode-api.arcgis.com", emu.url)
      .replaceAll("https://basemapstyles-api.arcgis.com", emu.url)
      .replaceAll("YOUR_KEY_1", store[0].key)
      .replaceAll("YOUR_KEY_2", store[1].key)
      .replaceAll("YOUR_USERNAME", "demo_owner")
      .replaceAll("YOUR_PASSWORD", PASSWORD)
      .replaceAll("YOUR_CREDENTIALS_ITEM_ID", store[0].itemId)
      .replaceAll("YOUR_WEB_MAP_ITEM_ID", webMap)
      .replaceAll("YOUR_OAUTH_CLIENT_ID", oauthClientId)
      .replaceAll("https://app.example.com", server.origin);
    browser = await launchChromium({ webgl: true }); // WebGL (software) for the map block

    let n = 0;
    const run = {
      install(b) {
        const name = /^npm install (\S+)\n$/.exec(b.code)?.[1];
        assert.ok(tarballs[name], `${b.file}:${b.line}: installs one of the packages`);
        execFileSync("npm", ["install", tarballs[name], "--no-audit", "--no-fund", "--prefer-offline"], { cwd: app, env: npmEnv, stdio: "pipe" });
        linkExtras();
      },
      node(b, e) {
        const file = join(app, `snippet-${++n}.mjs`);
        writeFileSync(file, fill(b.code));
        let out;
        try {
          out = execFileSync(process.execPath, [file], { cwd: app, encoding: "utf8", timeout: 60000, stdio: ["ignore", "pipe", "pipe"] });
        } catch (err) {
          throw new Error(`${b.file}:${b.line}: ${err.stderr || err.message}`);
        }
        if (e.out instanceof RegExp) assert.match(out, e.out, `${b.file}:${b.line}`);
        else if (e.out) e.out(out, ctx);
        if (e.file) assert.match(readFileSync(join(app, e.file[0]), "utf8"), e.file[1], `${b.file}:${b.line}`);
      },
      async page(b, e) {
        const name = `snippet-${++n}.html`;
        const html = b.lang === "html" ? fill(b.code)
          : `<!doctype html><meta charset="utf-8"><title>snippet</title><script type="module">\n${fill(b.code)}</script>\n`;
        writeFileSync(join(app, name), html);
        await openPage(browser, `${server.origin}/${name}`, e.page, `${b.file}:${b.line}`, e.click);
      },
      async vite(b, e, config) {
        assert.ok(config, `${b.file}:${b.line}: a vite-config block follows the vite block`);
        writeFileSync(join(app, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>vite</title></head><body><script type="module" src="/main.js"></script></body></html>`);
        writeFileSync(join(app, "main.js"), fill(b.code));
        writeFileSync(join(app, "vite.config.js"), fill(config.code));
        const bin = join(tools, ".bin", "vite");
        // The dev server (pre-bundling included), then the production build under `vite preview`,
        // both on the origin the referrers allow.
        for (const [what, args] of [["vite dev", []], ["vite build", null]]) {
          if (!args) execFileSync(bin, ["build", "--logLevel", "warn"], { cwd: app, stdio: "pipe" });
          const cmd = args ? [] : ["preview"];
          vite = spawn(bin, [...cmd, "--host", "127.0.0.1", "--port", String(vitePort), "--strictPort"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
          let log = "";
          vite.stdout.on("data", (d) => { log += d; });
          vite.stderr.on("data", (d) => { log += d; });
          // Vite colours its banner when `CI` is set, even into a pipe: read it without the escapes.
          const plain = () => log.replace(/\x1b\[[0-9;]*m/g, "");
          for (let i = 0; i < 150 && !/Local:/.test(plain()); i++) await new Promise((r) => setTimeout(r, 100));
          assert.match(plain(), /Local:/, `${what} did not start: ${plain()}`);
          await openPage(browser, `${viteOrigin}/`, e.page, `${b.file}:${b.line} (${what})`);
          const stopped = new Promise((r) => vite.once("exit", r));
          vite.kill();
          await stopped;
          vite = null;
        }
      },
    };

    // The owner package's README first (its first block allows the page origin), then the app
    // package's, then the repository's.
    for (const docIndex of [2, 1, 0]) {
      const list = blocks(DOCS[docIndex]);
      for (const [i, b] of list.entries()) {
        if (b.mode === "not-run" || b.mode === "vite-config") continue;
        if (b.mode === "install") { run.install(b); continue; }
        const e = expectationFor(docIndex, b);
        if (b.mode === "vite") await run.vite(b, e, list.slice(i + 1).find((x) => x.mode === "vite-config"));
        else await run[b.mode](b, e);
      }
    }
    assert.ok(n >= 7, `${n} blocks ran`);
  } finally {
    if (vite) vite.kill();
    if (browser) await browser.close();
    if (server) await server.close();
    if (emu) await emu.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
