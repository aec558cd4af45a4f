// The map integrations (apikey-credentials/maplibre, …) with the real map libraries from npm, in
// headless Chromium (software WebGL), against the emulator's basemap style and tiles. The page is
// served from an origin of its own (cross-origin to the portal, as a real app is); the key is
// restricted to that origin. For each library: the map draws with key 1; the owner invalidates
// key 1 through the portal; the map moves to tiles it never loaded and draws them with key 2,
// after at most one refused request per resource and exactly one `failover` event; the only
// console errors are the browser's own lines for those refused requests. Screenshots go to
// target/screenshots/maps-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { root, startEmulator, launchChromium, twoKeyCredentials, serve, expectedWarning } from "./harness.mjs";

const shots = join(root, "target", "screenshots");
const vendor = join(root, "tests", "js", "node_modules");

// Counts the pixels of a drawable (a canvas, a decoded image) in the emulator's tile edge colour
// (#6a7f99): page-side code, as a string.
const EDGE_PIXELS = `(source) => {
  const c = Object.assign(document.createElement("canvas"), { width: source.width, height: source.height });
  const ctx = c.getContext("2d");
  ctx.drawImage(source, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0x6a) < 6 && Math.abs(d[i + 1] - 0x7f) < 6 && Math.abs(d[i + 2] - 0x99) < 6) n++;
  return n;
}`;

// The page's part common to every library: the manager over both keys, a log of its failover
// events, and a count of the pixels drawn in the emulator's tile edge colour (#6a7f99), read from
// the map's canvas (an independent look at what was drawn, not at the library's state).
const common = `
import init, { CredentialManager } from "apikey-credentials";
await init();
const q = new URLSearchParams(location.search);
window.manager = new CredentialManager({ portal: q.get("portal"), keys: [q.get("k1"), q.get("k2")] });
window.failovers = [];
manager.addEventListener("failover", (e) => failovers.push(e.detail));
window.styleUrl = q.get("style");
window.edgePixels = ${EDGE_PIXELS};
`;

// MapLibre: the same boot for 5 (UMD build) and 6 (ES module).
const maplibreBoot = (lib) => `
import { transformRequest, bindMapLibre } from "apikey-credentials/maplibre";
const maplibregl = ${lib};
window.map = new maplibregl.Map({
  container: "map", style: styleUrl, center: [0, 20], zoom: 2, fadeDuration: 0,
  canvasContextAttributes: { preserveDrawingBuffer: true }, preserveDrawingBuffer: true,
  transformRequest: transformRequest(manager),
});
bindMapLibre(map, manager);
window.settled = () => new Promise((r) => map.once("idle", r));
window.moveTo = (lng, lat, zoom) => map.jumpTo({ center: [lng, lat], zoom });
window.drawn = () => edgePixels(map.getCanvas());
window.loaded = () => map.loaded();
await settled();
document.body.dataset.ready = "true";
`;

// Leaflet with esri-leaflet-vector (its UMD build carries its own MapLibre): Esri's basemap layer
// with the style service's base URL pointed at the emulator.
const leafletBoot = `
import { bindLeaflet } from "apikey-credentials/leaflet";
const lmap = L.map("map", { center: [20, 0], zoom: 3, fadeAnimation: false, zoomAnimation: false });
const layer = L.esri.Vector.vectorBasemapLayer("arcgis/streets", {
  apikey: manager.currentKey(), version: 2, baseUrl: styleUrl.replace("arcgis/streets", ""), preserveDrawingBuffer: true,
});
layer.addTo(lmap);
bindLeaflet(layer, manager);
const gl = () => layer._maplibreGL.getMaplibreMap();
window.settled = () => new Promise((r) => gl().once("idle", r));
window.moveTo = (lng, lat, zoom) => lmap.setView([lat, lng], zoom, { animate: false });
window.drawn = () => edgePixels(gl().getCanvas());
window.loaded = () => gl().loaded();
await settled();
document.body.dataset.ready = "true";
`;

// OpenLayers with ol-mapbox-style (UMD builds: globals ol and olms), drawing on a 2D canvas.
const openlayersBoot = `
import { transformRequest, bindOpenLayers } from "apikey-credentials/openlayers";
window.map = new ol.Map({ target: "map", view: new ol.View({ center: ol.proj.fromLonLat([0, 20]), zoom: 2 }) });
let complete = false;
map.on("loadstart", () => { complete = false; });
map.on("loadend", () => { complete = true; });
await olms.apply(map, styleUrl, { transformRequest: transformRequest(manager) });
bindOpenLayers(map, manager);
window.settled = () => new Promise((r) => map.once("loadend", r));
window.moveTo = (lng, lat, zoom) => { complete = false; map.getView().setCenter(ol.proj.fromLonLat([lng, lat])); map.getView().setZoom(zoom); };
window.drawn = () => [...document.querySelectorAll("#map canvas")].reduce((n, c) => n + edgePixels(c), 0);
window.loaded = () => complete;
if (!complete) await settled();
document.body.dataset.ready = "true";
`;

const imports = (extra) => `<script type="importmap">${JSON.stringify({ imports: {
  "apikey-credentials": "/pkg/index.js",
  "apikey-credentials/maplibre": "/pkg/maps/maplibre.js",
  "apikey-credentials/leaflet": "/pkg/maps/leaflet.js",
  "apikey-credentials/openlayers": "/pkg/maps/openlayers.js",
  ...extra,
} })}</script>`;

const LIBRARIES = [
  {
    name: "maplibre6",
    head: `<link rel="stylesheet" href="/vendor/maplibre-gl/dist/maplibre-gl.css">${imports({ "maplibre-gl": "/vendor/maplibre-gl/dist/maplibre-gl.mjs" })}`,
    boot: `import * as lib from "maplibre-gl";\n${maplibreBoot("lib")}`,
  },
  {
    // The style by its ArcGIS Online URL, as Esri's @esri/maplibre-arcgis asks for it: the test
    // answers for basemapstyles-api.arcgis.com with the emulator (a closed network).
    name: "maplibre6-esri-url",
    head: `<link rel="stylesheet" href="/vendor/maplibre-gl/dist/maplibre-gl.css">${imports({ "maplibre-gl": "/vendor/maplibre-gl/dist/maplibre-gl.mjs" })}`,
    boot: `import * as lib from "maplibre-gl";\n${maplibreBoot("lib")}`,
    esriUrl: true,
  },
  {
    name: "maplibre5",
    head: `<link rel="stylesheet" href="/vendor/maplibre-gl-5/dist/maplibre-gl.css"><script src="/vendor/maplibre-gl-5/dist/maplibre-gl.js"></script>${imports({})}`,
    boot: maplibreBoot("globalThis.maplibregl"),
  },
  {
    name: "leaflet",
    head: ["leaflet/dist/leaflet.css"].map((f) => `<link rel="stylesheet" href="/vendor/${f}">`).join("")
      + ["leaflet/dist/leaflet.js", "esri-leaflet/dist/esri-leaflet.js", "esri-leaflet-vector/dist/esri-leaflet-vector.js"].map((f) => `<script src="/vendor/${f}"></script>`).join("")
      + imports({}),
    boot: leafletBoot,
  },
  {
    name: "openlayers",
    head: `<link rel="stylesheet" href="/vendor/ol/ol.css"><script src="/vendor/ol/dist/ol.js"></script><script src="/vendor/ol-mapbox-style/dist/olms.js"></script>${imports({})}`,
    boot: openlayersBoot,
  },
];

/** The emulator, a static site on an origin of its own serving a fresh folder (with /pkg/ and
 * /vendor/), Chromium, and two keys (key 1 preferred) that allow only that site's origin.
 * `close()` ends them all. */
async function mapSite(title, { webgl = true } = {}) {
  const emu = await startEmulator();
  const dir = mkdtempSync(join(tmpdir(), "maps-"));
  const site = await serve(dir, { "/pkg/": join(root, "pkg"), "/vendor/": vendor });
  const browser = await launchChromium({ webgl });
  const close = async () => {
    await browser.close();
    await site.close();
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { session, creds, k1, k2 } = await twoKeyCredentials(emu, title);
    await session.updateReferrers(creds.itemId, [site.origin]);
    return { emu, dir, site, browser, session, creds, k1, k2, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** What a page says and sends: its console (all, and the errors) and every response to a request
 * with a key, as `[at(its URL without the key), key 1 | 2, status]`. */
function watchPage(page, s, at) {
  const consoleErrors = [];
  const allConsole = [];
  const sent = [];
  page.on("console", (m) => {
    allConsole.push(m.text());
    if (process.env.MAPS_DEBUG) console.log(m.type(), m.text());
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => { if (process.env.MAPS_DEBUG) console.log("pageerror", e.stack); consoleErrors.push(`pageerror: ${e.message}`); });
  page.on("response", (r) => {
    const u = new URL(r.url());
    const key = u.searchParams.get("token");
    if (!key) return;
    u.searchParams.delete("token");
    sent.push([at(u), key === s.k1.key ? 1 : key === s.k2.key ? 2 : "other", r.status()]);
  });
  return { consoleErrors, allConsole, sent };
}

/** `lib`'s map page on the site of `s` (mapSite), opened and watched (`at`, see watchPage). */
async function openMap(s, lib, at = (u) => u.href) {
  writeFileSync(join(s.dir, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><title>${lib.name}</title>
${lib.head}
<style>html, body, #map { margin: 0; width: 100%; height: 100%; }</style></head>
<body><div id="map"></div><script type="module">${common}${lib.boot}</script></body></html>`);
  const page = await s.browser.newPage({ viewport: { width: 800, height: 600 } });
  // esri-leaflet asks Esri's attribution service for the basemap's contributors; this
  // closed network has no route to it, so the test answers for it (an empty list).
  await page.route("https://static.arcgis.com/attribution/**", (r) => r.fulfill({ json: { contributors: [] } }));
  const watched = watchPage(page, s, at);
  const esri = "https://basemapstyles-api.arcgis.com";
  const style = `${lib.esriUrl ? esri : s.emu.url}/arcgis/rest/services/styles/v2/styles/arcgis/streets`;
  if (lib.esriUrl) {
    await page.route(`${esri}/**`, async (route) => {
      const u = new URL(route.request().url());
      route.fulfill({ response: await route.fetch({ url: `${s.emu.url}${u.pathname}${u.search}` }) });
    });
  }
  const q = new URLSearchParams({ portal: s.emu.portal, k1: s.k1.key, k2: s.k2.key, style });
  await page.goto(`${s.site.origin}/index.html?${q}`);
  return { page, style, ...watched };
}

for (const lib of LIBRARIES) {
  test(`${lib.name}: the map fails over to key 2 when key 1 is invalidated`, async () => {
    const s = await mapSite(`map ${lib.name}`);
    const { emu, session, creds, k1, k2 } = s;
    try {
      const { page, sent, consoleErrors, allConsole } = await openMap(s, lib);
      await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `maps-${lib.name}-key1.png`) });
      assert.ok(await page.evaluate(() => drawn()) > 500, "the tiles are drawn with key 1");
      const before = sent.length;
      assert.ok(before >= 2 && sent.every(([, key, status]) => key === 1 && status === 200), `key 1 loads the style and tiles: ${JSON.stringify(sent)}`);
      assert.ok(sent.some(([url]) => url.startsWith(`${lib.esriUrl ? "https://basemapstyles-api.arcgis.com" : emu.url}/arcgis/rest/services/styles/v2/styles/`)), "the style went with the key");

      await session.invalidateKey(creds.itemId, 1);
      // Tiles the map has never loaded: refused with key 1, then loaded with key 2.
      await page.evaluate(() => { moveTo(100, -30, 4); });
      // The failover, then the new view drawn (as the canvas shows it).
      await page.waitForFunction(() => failovers.length > 0 && loaded() && drawn() > 500, null, { timeout: 30_000, polling: 250 });
      await page.screenshot({ path: join(shots, `maps-${lib.name}-key2.png`) });

      const after = sent.slice(before);
      const refused = after.filter(([, , status]) => status !== 200);
      assert.ok(refused.length >= 1, "key 1 was refused at least once");
      assert.ok(refused.every(([, key, status]) => key === 1 && status === 498), JSON.stringify(refused));
      const perResource = new Map();
      for (const [url] of refused) perResource.set(url, (perResource.get(url) ?? 0) + 1);
      assert.ok([...perResource.values()].every((n) => n === 1), `at most one refused request per resource: ${JSON.stringify([...perResource])}`);
      assert.ok(after.some(([, key, status]) => key === 2 && status === 200), "tiles load with key 2");
      for (const [url] of refused) assert.ok(after.some(([u, key, status]) => u === url && key === 2 && status === 200), `${url} loads again with key 2`);
      assert.ok(await page.evaluate(() => drawn()) > 500, "the new tiles are drawn with key 2");
      assert.equal(await page.evaluate(() => failovers.length), 1, "one failover event");
      assert.equal(await page.evaluate(() => manager.currentKey()), k2.key);
      const usage = await page.evaluate(() => manager.usage().map((u) => u.requests));
      assert.ok(usage[0] >= 2 && usage[1] >= 1, `map traffic is counted per key: ${usage}`);
      const others = consoleErrors.filter((t) => !/Failed to load resource: the server responded with a status of 498/.test(t));
      assert.deepEqual(others, [], "no console errors but the refused requests");
      assert.ok(consoleErrors.length <= refused.length);
      if (lib.name.startsWith("maplibre")) {
        // An error that is not a refusal (a source on the portal's host whose tiles fail) is
        // logged as MapLibre logs it, but with the key masked in its URL.
        await page.route(`${emu.url}/broken/**`, (r) => r.fulfill({ status: 500, body: "broken", headers: { "access-control-allow-origin": "*" } }));
        const logged = page.waitForEvent("console", { predicate: (m) => m.type() === "error" && /token=…/.test(m.text()) });
        await page.evaluate((base) => {
          map.addSource("broken", { type: "raster", tiles: [`${base}/broken/{z}/{y}/{x}.png`], tileSize: 256 });
          map.addLayer({ id: "broken", type: "raster", source: "broken" });
        }, emu.url);
        const text = (await logged).text();
        assert.ok(!text.includes(k1.key) && !text.includes(k2.key), text);
      }
      for (const t of allConsole) assert.ok(!t.includes(k1.key) && !t.includes(k2.key), `a key on the console: ${t}`);
    } finally {
      await s.close();
    }
  });
}

// A map that starts while key 1 is already dead (the manager does not know yet): the style itself
// is refused once with key 1, the manager checks key 1 with the portal and fails over, and the
// style and its tiles load with key 2.
test("maplibre6: a map whose style is refused at start loads it again with key 2", async () => {
  const s = await mapSite("dead at start");
  try {
    await s.session.invalidateKey(s.creds.itemId, 1);
    const m = await openMap(s, LIBRARIES[0], (u) => u.pathname);
    await m.page.waitForFunction(() => window.failovers?.length > 0 && window.loaded?.() && drawn() > 500, null, { timeout: 60_000, polling: 250 });
    const path = new URL(m.style).pathname;
    assert.deepEqual(m.sent.filter(([p]) => p === path), [[path, 1, 498], [path, 2, 200]], "the style: refused once with key 1, then loaded with key 2");
    assert.ok(m.sent.filter(([p]) => p !== path).every(([, key, status]) => key === 2 && status === 200), JSON.stringify(m.sent));
    assert.equal(await m.page.evaluate(() => failovers.length), 1);
    mkdirSync(shots, { recursive: true });
    await m.page.screenshot({ path: join(shots, "maps-maplibre6-dead-at-start.png") });
    assert.deepEqual(m.consoleErrors.filter((t) => !/status of 498/.test(t)), []);
  } finally {
    await s.close();
  }
});

// A sprite refused while the style is loaded (the app changes sprites after key 1 died): the
// style is set again from its own JSON, and the sprite loads with key 2.
test("maplibre6: a sprite refused after key 1 died loads again with key 2", async () => {
  const s = await mapSite("sprite after death");
  try {
    const m = await openMap(s, LIBRARIES[0], (u) => u.pathname);
    await m.page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
    await s.session.invalidateKey(s.creds.itemId, 1);
    const sprite = `${s.emu.url}/arcgis/rest/services/styles/v2/sprites/arcgis`;
    await m.page.evaluate((url) => map.setSprite(`${url}?v=2`), sprite);
    await m.page.waitForFunction(() => failovers.length > 0 && loaded() && map.hasImage?.("place"), null, { timeout: 30_000, polling: 250 });
    const index = new URL(`${sprite}.json`).pathname;
    const tail = m.sent.filter(([p]) => p === index).slice(-2);
    assert.deepEqual(tail, [[index, 1, 498], [index, 2, 200]], `the new sprite: refused with key 1, then loaded with key 2 (${JSON.stringify(m.sent)})`);
    assert.equal(await m.page.evaluate(() => failovers.length), 1);
    assert.deepEqual(m.consoleErrors.filter((t) => !/status of 498/.test(t)), []);
  } finally {
    await s.close();
  }
});

// The ArcGIS Maps SDK: `esri/request` (bundled from @arcgis/core by esbuild, as an app's bundler
// would) through the interceptor; the package itself stays a module of its own beside the bundle.
test("arcgis: esri/request fails over through the interceptor, and esriConfig.apiKey follows", async () => {
  const { buildSync } = createRequire(join(root, "tools", "package.json"))("esbuild");
  const s = await mapSite("map arcgis", { webgl: false });
  const { emu, dir, site, browser, session, creds, k1, k2 } = s;
  try {
    writeFileSync(join(dir, "entry.js"), `
import esriRequest from "@arcgis/core/request.js";
import esriConfig from "@arcgis/core/config.js";
import init, { CredentialManager } from "apikey-credentials";
import { arcgisInterceptor } from "apikey-credentials/arcgis";
await init();
const q = new URLSearchParams(location.search);
const manager = new CredentialManager({ portal: q.get("portal"), keys: [q.get("k1"), q.get("k2")] });
window.failovers = [];
manager.addEventListener("failover", (e) => failovers.push(e.detail));
esriConfig.request.interceptors.push(arcgisInterceptor(manager, { esriRequest, esriConfig }));
window.apiKey = () => esriConfig.apiKey;
window.style = (name) => esriRequest(q.get("styles") + name, { responseType: "json" }).then((r) => r.data.version);
document.body.dataset.ready = "true";
`);
    buildSync({
      entryPoints: [join(dir, "entry.js")], outfile: join(dir, "bundle.js"), bundle: true, format: "esm",
      external: ["apikey-credentials", "apikey-credentials/*"], nodePaths: [vendor], logLevel: "error",
    });
    writeFileSync(join(dir, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><title>arcgis</title>${imports({ "apikey-credentials/arcgis": "/pkg/maps/arcgis.js" })}</head><body><script type="module" src="bundle.js"></script></body></html>`);
    const page = await browser.newPage();
    const { consoleErrors, sent } = watchPage(page, s, (u) => u.pathname);
    const styles = `${emu.url}/arcgis/rest/services/styles/v2/styles/arcgis/`;
    await page.goto(`${site.origin}/index.html?${new URLSearchParams({ portal: emu.portal, k1: k1.key, k2: k2.key, styles })}`);
    await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 60_000 });
    assert.equal(await page.evaluate(() => style("streets")), 8);
    assert.equal(await page.evaluate(() => apiKey()), k1.key, "esriConfig.apiKey is key 1");
    assert.deepEqual(sent, [["/arcgis/rest/services/styles/v2/styles/arcgis/streets", 1, 200]]);

    await session.invalidateKey(creds.itemId, 1);
    // One refused request, the check with the portal, then the same request with key 2; later
    // requests go with key 2 from the start.
    assert.equal(await page.evaluate(() => style("navigation")), 8);
    assert.equal(await page.evaluate(() => style("topographic")), 8);
    assert.deepEqual(sent.slice(1).filter(([p]) => p.includes("/styles/")), [
      ["/arcgis/rest/services/styles/v2/styles/arcgis/navigation", 1, 498],
      ["/arcgis/rest/services/styles/v2/styles/arcgis/navigation", 2, 200],
      ["/arcgis/rest/services/styles/v2/styles/arcgis/topographic", 2, 200],
    ]);
    assert.equal(await page.evaluate(() => failovers.length), 1, "one failover event");
    assert.equal(await page.evaluate(() => apiKey()), k2.key, "esriConfig.apiKey follows to key 2");
    assert.deepEqual(consoleErrors.filter((t) => !/status of 498/.test(t)), []);
  } finally {
    await s.close();
  }
});

// The example pages of www/examples, as a reader opens them on the emulator (`make demo`): each
// starts with the seeded store locator's keys, draws (or, for the SDK, requests the style) without
// a console error, and says which key is in use. What was drawn is read from a screenshot of the
// map, decoded by the browser: pixels in the tile edge colour.
test("the example pages draw with the seeded keys, without console errors", async () => {
  const emu = await startEmulator();
  const browser = await launchChromium({ webgl: true });
  try {
    for (const name of ["maplibre", "leaflet", "openlayers", "arcgis"]) {
      const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
      const problems = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
        if (m.type() === "warning" && !expectedWarning(m.text())) problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      await page.route("https://static.arcgis.com/attribution/**", (r) => r.fulfill({ json: { contributors: [] } }));
      await page.goto(`${emu.url}/examples/${name}.html`);
      await page.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 60_000 });
      // The store locator's key 1 is about to expire: key 2 takes over.
      assert.equal(await page.getAttribute("#status", "data-slot"), "2", name);
      if (name === "arcgis") {
        await page.click("#call");
        await page.waitForFunction(() => /Style "arcgis\/navigation"/.test(document.getElementById("result").textContent));
      } else {
        await page.waitForTimeout(500);
        const shot = await page.locator("#map").screenshot();
        const edges = await page.evaluate(`(async () => {
          const img = new Image();
          img.src = "data:image/png;base64,${shot.toString("base64")}";
          await img.decode();
          return (${EDGE_PIXELS})(img);
        })()`);
        assert.ok(edges > 300, `${name}: the map is drawn (${edges} edge pixels)`);
      }
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `example-${name}.png`) });
      assert.deepEqual(problems, [], name);
      await page.close();
    }
  } finally {
    await browser.close();
    await emu.stop();
  }
});
