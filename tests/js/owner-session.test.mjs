// The owner's sign-in expiring, in Node against the emulator: owner tools then fail with
// INVALID_TOKEN and a message about signing in again (not the API-key advice), and a new
// sign-in works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, loadPackage } from "./harness.mjs";

test("an expired owner sign-in says to sign in again", async () => {
  const pkg = await loadPackage();
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const session = await pkg.PortalSession.signIn(emu.portal, emu.username, emu.password);
    const creds = await session.createCredentials({ title: "session expiry" });
    const expired = await (await fetch(`${emu.url}/emulator/expire-sign-ins`, { method: "POST" })).json();
    assert.ok(expired.expired >= 1, JSON.stringify(expired));
    for (const call of [() => session.listCredentials(), () => session.getCredentials(creds.itemId), () => session.invalidateKey(creds.itemId, 1)]) {
      const e = await call().then(() => null, (err) => err);
      assert.ok(e instanceof pkg.CredentialError, String(e));
      assert.equal(e.code, "INVALID_TOKEN");
      assert.match(e.message, /sign in again/);
      assert.doesNotMatch(e.message, /API key/);
    }
    // Signing in again works, also with the portal's home page URL as pasted from a browser.
    const again = await pkg.PortalSession.signIn(`${emu.portal}/home/index.html?x=1`, emu.username, emu.password);
    assert.equal(again.portal, `${emu.portal}/sharing/rest`);
    assert.equal((await again.getCredentials(creds.itemId)).itemId, creds.itemId);
    // A wrong password is the portal's own refusal, with its message.
    const wrong = await pkg.PortalSession.signIn(emu.portal, emu.username, "not the password").then(() => null, (err) => err);
    assert.equal(wrong.code, "BAD_REQUEST");
    assert.match(wrong.message, /Invalid username or password/);
  } finally {
    await emu.stop();
  }
});
