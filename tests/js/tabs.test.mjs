// Storage across tabs, in Chromium: a key that one tab's manager finds dead is marked dead in
// another tab's manager through the `storage` event, without a reload; stale writes are merged;
// listeners may call back into the manager while it reports a storage failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator, launchChromium, root } from "./harness.mjs";

// An emulator serving tests/js/pages, `n` tabs of tabs.html in one browser context (ready, their
// shared localStorage cleared), and the seeded "Store locator" item: its two keys, slot 1 first
// (no expiry given, so key 1 is used first), and its item id. `body` runs with them; everything
// is closed afterwards.
async function withTabs(n, body) {
  const emu = await startEmulator(["--www", join(root, "tests", "js", "pages"), "--alt-port", "none"]);
  const browser = await launchChromium();
  try {
    const { keys } = await (await fetch(`${emu.url}/emulator/seeded-keys`)).json();
    const seeded = keys.filter((k) => k.title.startsWith("Store locator")).sort((a, b) => a.slot - b.slot);
    const ctx = await browser.newContext();
    const pages = [];
    for (let i = 0; i < n; i++) {
      const p = await ctx.newPage();
      await p.goto(`${emu.url}/tabs.html`);
      await p.waitForSelector("body[data-ready=true]", { state: "attached" });
      pages.push(p);
    }
    await pages[0].evaluate(() => localStorage.clear());
    await body({ emu, pages, store: seeded.map((k) => k.key), item: seeded[0].itemId });
    await ctx.close();
  } finally {
    await browser.close();
    await emu.stop();
  }
}

test("other tabs see a dead key through the storage event", () => withTabs(2, async ({ emu, pages: [a, b], store, item }) => {
  for (const p of [a, b]) await p.evaluate((k) => window.makeManager(k), store);
  // Tab A learns that key 1 is dead (the owner invalidates it; A next request fails over).
  const login = await (await fetch(`${emu.url}/emulator/demo-login`)).json();
  const owner = await fetch(`${emu.portal}/sharing/rest/generateToken`, { method: "POST", body: new URLSearchParams({ username: login.username, password: login.password, f: "json" }) }).then((r) => r.json());
  const app = await fetch(`${emu.portal}/sharing/rest/content/users/${login.username}/items/${item}/registeredAppInfo`, { method: "POST", body: new URLSearchParams({ token: owner.token, f: "json" }) }).then((r) => r.json());
  const revoked = await fetch(`${emu.portal}/sharing/rest/oauth2/revokeToken`, { method: "POST", body: new URLSearchParams({ client_id: app.client_id, client_secret: app.client_secret, apiToken: "1", f: "json" }) }).then((r) => r.json());
  assert.equal(revoked.success, true, JSON.stringify(revoked));
  const served = await a.evaluate(async () => (await window.manager.request(`${location.origin}/portal/sharing/rest/portals/self`)).appInfo.itemId);
  assert.equal(served, item, "tab A failed over to key 2");
  assert.deepEqual(await a.evaluate(() => window.deadSlots()), [1]);
  // Tab B, untouched, now knows too.
  await b.waitForFunction(() => window.deadSlots().length === 1, null, { timeout: 5000 });
  assert.deepEqual(await b.evaluate(() => window.deadSlots()), [1]);
}));

test("listeners may call back into the manager, even while it reports a storage failure", () => withTabs(1, async ({ pages: [page], store }) => {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const r = await page.evaluate(async (k) => {
    // Storage that refuses every write, as when the quota is exhausted, and that calls back
    // into the manager first (as a wrapper some library put around setItem might).
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function () {
      window.manager?.getToken(`${location.origin}/portal/sharing/rest/portals/self`);
      throw new DOMException("full", "QuotaExceededError");
    };
    try {
      // Key 1 expires in 3 days: the manager reports it (critical) on the next tick.
      window.makeManager([{ key: k[0], expiresAt: Date.now() + 3 * 86400000 }, k[1]]);
      const m = window.manager;
      const seen = [];
      const url = `${location.origin}/portal/sharing/rest/portals/self`;
      // Every event listener calls straight back into the manager (status, usage, getToken).
      for (const type of ["storageError", "expiring", "critical", "expired", "invalid", "failover", "clockSkew"]) {
        m.addEventListener(type, () => {
          seen.push(type);
          m.status();
          m.usage();
          m.getToken(url);
        });
      }
      await new Promise((r) => setTimeout(r, 50));
      const a = await m.request(url);
      const b = await m.request(url);
      return { seen, served: [a.appInfo.itemId, b.appInfo.itemId], requests: m.usage()[0].requests };
    } finally {
      Storage.prototype.setItem = setItem;
    }
  }, store);
  assert.deepEqual(errors, []);
  assert.ok(r.seen.includes("storageError") && r.seen.includes("critical"), JSON.stringify(r.seen));
  assert.equal(r.served[0], r.served[1]);
  assert.ok(r.requests >= 2, JSON.stringify(r));
}));

test("a stale write from another tab neither revives a dead key nor lowers a count", () => withTabs(2, async ({ emu, pages: [a, b], store }) => {
  await a.evaluate((k) => window.makeManager(k), store);
  // A: three requests with key 1 (its state is saved after each).
  const url = `${emu.url}/portal/sharing/rest/portals/self`;
  await a.evaluate(async (u) => { for (let i = 0; i < 3; i++) await window.manager.request(u); }, url);
  const stored = await a.evaluate(() => Object.entries(localStorage).find(([k]) => k.startsWith("apikey-credentials")));
  assert.ok(stored, "A saved its state");
  const state = JSON.parse(stored[1]);
  // Another tab's 498 for key 1, after A's last success with it.
  state.keys[0].dead = { since: Date.now(), checked: Date.now(), url: url };
  // B writes an older snapshot: key 1 alive and fewer requests (as a tab that had not caught up).
  const stale = JSON.parse(stored[1]);
  stale.keys[0].dead = null;
  stale.keys[0].usage.requests = 1;
  await b.evaluate(([k, v]) => localStorage.setItem(k, v), [stored[0], JSON.stringify(stale)]);
  await a.waitForTimeout(200);
  const after = await a.evaluate(() => window.manager.usage().map((u) => ({ slot: u.slot, dead: u.dead, requests: u.requests })));
  assert.equal(after[0].requests, 3, JSON.stringify(after));
  assert.equal(after[0].dead, false, "A's own view: it never saw key 1 die");
  // A learns through storage that key 1 died (another tab found out), then the stale write
  // arrives again.
  await b.evaluate(([k, v]) => localStorage.setItem(k, v), [stored[0], JSON.stringify(state)]);
  await a.waitForFunction(() => window.deadSlots().length === 1, null, { timeout: 5000 });
  await b.evaluate(([k, v]) => localStorage.setItem(k, v), [stored[0], JSON.stringify(stale)]);
  await a.waitForTimeout(200);
  assert.deepEqual(await a.evaluate(() => window.deadSlots()), [1], "the stale write did not revive key 1");
  assert.equal(await a.evaluate(() => window.manager.usage()[0].requests), 3);
}));
