// The owner's sign-in expiring, in Node against the emulator: owner tools then fail with
// SESSION_EXPIRED (not an API key's INVALID_TOKEN), and a new sign-in works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, loadPackage } from "./harness.mjs";

test("an expired owner sign-in says to sign in again", async () => {
  const pkg = await loadPackage("pkg-owner");
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const session = await pkg.PortalSession.signIn(emu.portal, emu.username, emu.password);
    const creds = await session.createCredentials({ title: "session expiry" });
    const expired = await (await fetch(`${emu.url}/emulator/expire-sign-ins`, { method: "POST" })).json();
    assert.ok(expired.expired >= 1, JSON.stringify(expired));
    for (const call of [() => session.listCredentials(), () => session.getCredentials(creds.itemId), () => session.invalidateKey(creds.itemId, 1)]) {
      const e = await call().then(() => null, (err) => err);
      assert.ok(e instanceof pkg.CredentialError, String(e));
      assert.equal(e.code, "SESSION_EXPIRED");
      assert.equal(e.portalCode, 498);
    }
    // Signing in again works, also with the portal's home page URL as pasted from a browser.
    const again = await pkg.PortalSession.signIn(`${emu.portal}/home/index.html?x=1`, emu.username, emu.password);
    assert.equal(again.portal, `${emu.portal}/sharing/rest`);
    assert.equal((await again.getCredentials(creds.itemId)).itemId, creds.itemId);
    // A wrong password is the portal's own refusal, with its details.
    const wrong = await pkg.PortalSession.signIn(emu.portal, emu.username, "not the password").then(() => null, (err) => err);
    assert.equal(wrong.code, "BAD_REQUEST");
    assert.equal(wrong.portalCode, 400);
    assert.deepEqual(wrong.details, ["Invalid username or password."]);
  } finally {
    await emu.stop();
  }
});

// listCredentials finds every credentials item through the portal's search, past the first page
// of 100 results, and reads them all together; an OAuth 2.0 style Application (no
// APIToken keyword) is not API key credentials and is left out.
test("listCredentials pages through search and leaves out OAuth apps", { timeout: 120_000 }, async () => {
  const pkg = await loadPackage("pkg-owner");
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const session = await pkg.PortalSession.signIn(emu.portal, emu.username, emu.password);
    const seeded = (await session.listCredentials()).map((c) => c.itemId);
    assert.ok(seeded.length >= 1 && seeded.length < 100, `${seeded.length} seeded`);
    const created = [];
    for (let i = 0; i < 105; i++) created.push((await session.createCredentials({ title: `paged ${i}` })).itemId);
    const token = (await fetch(`${emu.portal}/sharing/rest/generateToken`, { method: "POST", body: new URLSearchParams({ username: emu.username, password: emu.password, referer: "http://x/", f: "json" }) }).then((r) => r.json())).token;
    const oauth = await fetch(`${emu.portal}/sharing/rest/content/users/${emu.username}/addItem`, { method: "POST", body: new URLSearchParams({ title: "an OAuth app", type: "Application", typeKeywords: "Registered App", token, f: "json" }) }).then((r) => r.json());
    assert.ok(oauth.success, JSON.stringify(oauth));

    const before = (await (await fetch(`${emu.url}/emulator/stats`)).json()).total;
    const list = await session.listCredentials();
    const requests = (await (await fetch(`${emu.url}/emulator/stats`)).json()).total - before;
    const ids = list.map((c) => c.itemId);
    assert.equal(new Set(ids).size, ids.length, "no duplicates");
    assert.deepEqual([...ids].sort(), [...seeded, ...created].sort());
    assert.ok(!ids.includes(oauth.id));
    // Two search pages, then each item read as getCredentials reads it (registration, item).
    assert.equal(requests, 2 + 2 * ids.length);
    assert.ok(list.every((c) => c instanceof pkg.ApiKeyCredentials && c.title));
  } finally {
    await emu.stop();
  }
});
