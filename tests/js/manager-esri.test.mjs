// The CredentialManager from the release package, in Node 20, as the `authentication` of Esri's
// own client: request() and getItem() reach the emulator at its /portal/sharing/rest URL (not
// arcgis.com), and a 498 makes rest-js call refreshCredentials(), which fails over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request, ArcGISIdentityManager } from "@esri/arcgis-rest-request";
import { getItem } from "@esri/arcgis-rest-portal";
import { startEmulator, loadPackage } from "./harness.mjs";

const DAY = 86_400_000;

test("CredentialManager works as arcgis-rest-js authentication, with failover", async () => {
  const pkg = await loadPackage();
  const ownerPkg = await loadPackage("pkg-owner");
  const emu = await startEmulator();
  try {
    const portal = `${emu.portal}/sharing/rest`;
    const session = await ownerPkg.PortalSession.signIn(emu.portal, emu.username, emu.password);
    assert.equal(String(session).includes(emu.password), false);
    // Node sends no browser Referer, so these credentials are unrestricted; item access to a map.
    const owner = await ArcGISIdentityManager.signIn({ username: emu.username, password: emu.password, portal });
    const map = (await request(`${portal}/content/users/${emu.username}`, { authentication: owner })).items.find((i) => i.type === "Web Map");
    const creds = await session.createCredentials({ title: "node test", privileges: ["premium:user:basemaps", `portal:app:access:item:${map.id}`] });
    const k1 = await session.generateKey(creds.itemId, 1, new Date(Date.now() + 200 * DAY));
    const k2 = await session.generateKey(creds.itemId, 2, new Date(Date.now() + 100 * DAY));
    assert.equal(k1.slot, 1);
    assert.ok(k1.expiresAt instanceof Date);

    const manager = new pkg.CredentialManager({ portal: emu.portal, keys: [k1.key, { key: k2.key }] });
    assert.equal(manager.portal, portal, "honours a non-arcgis.com portal");
    const before = await (await fetch(`${emu.url}/emulator/stats`)).json();

    const self = await request(`${portal}/portals/self`, { authentication: manager });
    assert.equal(self.appInfo.itemId, creds.itemId);
    const item = await getItem(map.id, { authentication: manager });
    assert.equal(item.id, map.id);

    const after = await (await fetch(`${emu.url}/emulator/stats`)).json();
    assert.equal(after.withKey - before.withKey, 2, "both requests reached the emulator with a key");

    // Invalidate key 1: rest-js gets a 498, calls refreshCredentials(), the manager fails over,
    // rest-js retries once with key 2.
    const failovers = [];
    manager.addEventListener("failover", (e) => failovers.push(e.detail));
    await session.invalidateKey(creds.itemId, 1);
    const again = await request(`${portal}/portals/self`, { authentication: manager });
    assert.equal(again.appInfo.itemId, creds.itemId);
    assert.equal(failovers.length, 1);
    assert.deepEqual([failovers[0].from, failovers[0].to], [1, 2]);
    assert.equal(await manager.getToken(), k2.key);
    // Nothing secret in the manager's JSON or string forms.
    const shown = JSON.stringify(manager) + String(manager);
    assert.ok(!shown.includes(k1.key) && !shown.includes(k2.key));
  } finally {
    await emu.stop();
  }
});
