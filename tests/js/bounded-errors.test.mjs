// A portal's error body cannot freeze the page: the three bodies that did (a 400 KB message
// with a 200 KB detail, 30,000 details, an 8 MB message), served by the emulator over HTTP, each
// settle within timeoutMs plus a small margin, decoding included, as a bounded CredentialError:
// in Node and in Chromium, for manager.request() and for an owner call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, launchChromium, loadPackage } from "./harness.mjs";

const KEY = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT1_bounded1";
const TIMEOUT = 3000;
// What "settles within timeoutMs" may add: scheduling on a busy 2-core machine.
const MARGIN = 1500;

/**
 * Runs every case with the given packages; returns one row per case. Self-contained (it is also
 * sent to the page as source).
 */
async function cases(app, owner, base, TIMEOUT, KEY) {
  const rows = [];
  const manager = new app.CredentialManager({ portal: `${base}/portal`, keys: [KEY], timeoutMs: TIMEOUT });
  for (const kind of ["long", "many", "huge"]) {
    for (const who of ["request", "signIn"]) {
      const started = performance.now();
      let e = null;
      try {
        if (who === "request") await manager.request(`${base}/emulator/error-body/${kind}`);
        else await owner.PortalSession.signIn(`${base}/emulator/error-body/${kind}`, "u", "p");
      } catch (err) { e = err; }
      rows.push({
        kind, who, ms: performance.now() - started,
        isError: e instanceof Error, code: e?.code, portalCode: e?.portalCode, length: e?.message.length ?? 0,
        details: e?.details?.length ?? 0, maxDetail: Math.max(0, ...(e?.details ?? []).map((d) => d.length)),
        dropped: /and (\d+) more details/.exec(e?.message ?? "")?.[1] ?? null,
      });
    }
  }
  return rows;
}

function check(rows) {
  assert.equal(rows.length, 6);
  for (const r of rows) {
    const what = JSON.stringify(r);
    assert.ok(r.isError, what);
    // The body's own error, read and cut (not a transport failure that skipped the body).
    assert.ok(["BAD_REQUEST", "SERVER_ERROR"].includes(r.code) && [400, 500].includes(r.portalCode), what);
    assert.ok(r.ms < TIMEOUT + MARGIN, `settled in ${Math.round(r.ms)} ms: ${what}`);
    assert.ok(r.length <= 1001, what);
    assert.ok(r.details <= 10 && r.maxDetail <= 301, what);
  }
  for (const r of rows.filter((x) => x.kind === "many")) assert.equal(r.dropped, String(30_000 - 10), JSON.stringify(r));
}

test("hostile error bodies settle bounded, in Node", async () => {
  const emu = await startEmulator();
  try {
    check(await cases(await loadPackage("pkg"), await loadPackage("pkg-owner"), emu.url, TIMEOUT, KEY));
  } finally {
    await emu.stop();
  }
});

test("hostile error bodies settle bounded, in Chromium", async () => {
  const emu = await startEmulator();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${emu.url}/`);
    await page.waitForSelector("body[data-ready=true]");
    // The demo page has initialised both packages; the same cases run in it.
    const rows = await page.evaluate(async ([src, timeout, key]) => {
      const app = await import("/pkg/index.js");
      const owner = await import("/pkg-owner/index.js");
      const run = (0, eval)(`(${src})`);
      return run(app, owner, location.origin, timeout, key);
    }, [cases.toString(), TIMEOUT, KEY]);
    check(rows);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await emu.stop();
  }
});
