// Esri's own JavaScript client, unchanged, against the emulator: sign in, portal and user
// lookups, an item, and a request with an API key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ArcGISIdentityManager, ApiKeyManager, request, ArcGISRequestError, ArcGISAuthError } from "@esri/arcgis-rest-request";
import { getSelf, getUser, getItem, getUserContent } from "@esri/arcgis-rest-portal";
import { startEmulator } from "./harness.mjs";

test("arcgis-rest-js works against the emulator unchanged", async () => {
  const emu = await startEmulator(["--log", "debug"]);
  let secrets = [];
  try {
    const portal = `${emu.portal}/sharing/rest`;
    const session = await ArcGISIdentityManager.signIn({ username: emu.username, password: emu.password, portal });
    assert.equal(session.username, emu.username);
    assert.ok(session.token.length > 20);

    const self = await getSelf({ authentication: session });
    assert.equal(self.user.username, emu.username);
    assert.equal(self.isPortal, true);

    const user = await getUser({ username: emu.username, authentication: session });
    assert.equal(user.userLicenseTypeId, "creatorUT");

    const content = await getUserContent({ owner: emu.username, authentication: session });
    const creds = content.items.find((i) => i.title.startsWith("Store locator"));
    assert.ok(creds, "seeded credentials are listed");
    const item = await getItem(creds.id, { authentication: session });
    assert.equal(item.type, "Application");
    assert.ok(item.typeKeywords.includes("APIToken"));
    assert.ok(item.apiToken1ExpirationDate > Date.now());

    // An API key, as a raw string and through ApiKeyManager, with the referrer the key allows.
    const { keys } = await (await fetch(`${emu.url}/emulator/seeded-keys`)).json();
    secrets = [emu.password, session.token, ...keys.map((k) => k.key)];
    const key = keys.find((k) => k.note === "healthy" && k.title.startsWith("Store locator")).key;
    const headers = { Referer: `${emu.url}/` };
    const bare = await request(`${portal}/portals/self`, { authentication: key, headers, httpMethod: "GET" });
    assert.equal(bare.appInfo.itemId, creds.id);
    const viaManager = await request(`${portal}/portals/self`, { authentication: ApiKeyManager.fromKey(key), headers });
    assert.equal(viaManager.appInfo.itemId, creds.id);

    // Without the allowed referrer (Node sends "@esri/arcgis-rest-js"), the portal refuses: a
    // 403 in the body, which rest-js raises as ArcGISRequestError.
    await assert.rejects(request(`${portal}/portals/self`, { authentication: key }), (e) => e instanceof ArcGISRequestError && !(e instanceof ArcGISAuthError) && e.code === "GWM_0003" && e.response.error.code === 403);
    // An invalidated key: 498, which rest-js classifies as ArcGISAuthError.
    const dead = keys.find((k) => k.note === "invalidated").key;
    await assert.rejects(request(`${portal}/portals/self`, { authentication: dead, headers }), (e) => e instanceof ArcGISAuthError);
  } finally {
    await emu.stop();
  }
  // The emulator's structured logs saw every request, and never a raw key, token or password.
  const log = emu.stderr();
  assert.match(log, /path=\/portal\/sharing\/rest\/portals\/self result=200 auth=key\d:AAPT…/);
  for (const s of secrets) assert.ok(!log.includes(s), "a secret reached the emulator log");
});
