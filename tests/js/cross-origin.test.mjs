// What a call costs from a page on another origin, as real apps call ArcGIS (app.example.com →
// *.arcgis.com): by default the manager sends the key as Esri's clients do (the `token` query
// parameter of a GET, or the form body of a POST), so no call needs a CORS preflight; the header
// (`authHeader: true`) costs one preflight per distinct URL. Counted by the emulator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, launchChromium, loadPackage } from "./harness.mjs";

/** A key for both location services, unrestricted by referrer. */
async function serviceKey(emu) {
  const owner = await loadPackage("pkg-owner");
  const session = await owner.PortalSession.signIn(emu.portal, emu.username, emu.password);
  const creds = await session.createCredentials({ title: "cross-origin", privileges: ["premium:user:basemaps", "premium:user:geocode"] });
  return (await session.generateKey(creds.itemId, 1, new Date(Date.now() + 100 * 86_400_000))).key;
}

test("cross-origin calls need no preflight unless the header is asked for", async () => {
  const emu = await startEmulator();
  const browser = await launchChromium();
  try {
    const key = await serviceKey(emu);
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    // The page on the emulator's second origin; the portal and services on its first.
    await page.goto(`${emu.altUrl}/`);
    await page.waitForSelector("body[data-ready=true]");
    const preflights = async () => (await (await fetch(`${emu.url}/emulator/stats`)).json()).preflights;
    const run = (opts) => page.evaluate(async ([portal, key, opts]) => {
      const { CredentialManager } = await import("/pkg/index.js");
      const m = new CredentialManager({ portal: `${portal}/portal`, keys: [key] });
      const style = `${portal}/arcgis/rest/services/styles/v2/styles/arcgis/navigation`;
      const geocode = `${portal}/arcgis/rest/services/World/GeocodeServer/findAddressCandidates`;
      const out = [];
      for (const q of ["Redlands", "Paris", "Oslo"]) out.push((await m.request(geocode, { SingleLine: q }, opts)).candidates.length);
      out.push((await m.request(style, null, opts)).version);
      out.push((await m.request(style, null, opts)).version, "repeated");
      return out;
    }, [emu.url, key, opts]);

    let before = await preflights();
    const plain = await run(undefined);
    assert.equal(plain.length, 6);
    assert.equal(await preflights() - before, 0, "default GET: the key in the query, no preflight");

    before = await preflights();
    await run({ method: "POST" });
    assert.equal(await preflights() - before, 0, "POST: the key in the form body, no preflight");

    before = await preflights();
    await run({ authHeader: true });
    // Four distinct URLs (three queries and the style); the repeated one is served from the
    // browser's preflight cache.
    const header = await preflights() - before;
    assert.ok(header >= 4, `the header costs a preflight per distinct URL (${header})`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await emu.stop();
  }
});
