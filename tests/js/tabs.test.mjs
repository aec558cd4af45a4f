// Storage across tabs: a key that one tab's manager finds dead is marked dead in another tab's
// manager through the `storage` event, without a reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startEmulator, launchChromium, root } from "./harness.mjs";

test("other tabs see a dead key through the storage event", async () => {
  const emu = await startEmulator(["--www", join(root, "tests", "js", "pages"), "--alt-port", "none"]);
  const browser = await launchChromium();
  try {
    const { keys } = await (await fetch(`${emu.url}/emulator/seeded-keys`)).json();
    // Two keys of one credentials item (no expiry given, so key 1 is used first).
    const store = keys.filter((k) => k.title.startsWith("Store locator")).sort((a, b) => a.slot - b.slot).map((k) => k.key);
    const ctx = await browser.newContext();
    const [a, b] = [await ctx.newPage(), await ctx.newPage()];
    for (const p of [a, b]) {
      await p.goto(`${emu.url}/tabs.html`);
      await p.waitForSelector("body[data-ready=true]", { state: "attached" });
      await p.evaluate(() => localStorage.clear());
    }
    for (const p of [a, b]) await p.evaluate((k) => window.makeManager(k), store);
    // Tab A learns that key 1 is dead (the owner invalidates it; A next request fails over).
    const login = await (await fetch(`${emu.url}/emulator/demo-login`)).json();
    const owner = await fetch(`${emu.portal}/sharing/rest/generateToken`, { method: "POST", body: new URLSearchParams({ username: login.username, password: login.password, f: "json" }) }).then((r) => r.json());
    const item = keys.find((k) => k.title.startsWith("Store locator")).itemId;
    const app = await fetch(`${emu.portal}/sharing/rest/content/users/${login.username}/items/${item}/registeredAppInfo`, { method: "POST", body: new URLSearchParams({ token: owner.token, f: "json" }) }).then((r) => r.json());
    const revoked = await fetch(`${emu.portal}/sharing/rest/oauth2/revokeToken`, { method: "POST", body: new URLSearchParams({ client_id: app.client_id, client_secret: app.client_secret, apiToken: "1", f: "json" }) }).then((r) => r.json());
    assert.equal(revoked.success, true, JSON.stringify(revoked));
    const served = await a.evaluate(async () => (await window.manager.request(`${location.origin}/portal/sharing/rest/portals/self`)).appInfo.itemId);
    assert.equal(served, item, "tab A failed over to key 2");
    assert.deepEqual(await a.evaluate(() => window.deadSlots()), [1]);
    // Tab B, untouched, now knows too.
    await b.waitForFunction(() => window.deadSlots().length === 1, null, { timeout: 5000 });
    assert.deepEqual(await b.evaluate(() => window.deadSlots()), [1]);
    await ctx.close();
  } finally {
    await browser.close();
    await emu.stop();
  }
});
