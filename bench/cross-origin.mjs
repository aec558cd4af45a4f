// What a location-service call costs where users feel it: a page on one origin calling the
// services on another (as app.example.com calls *.arcgis.com), with 40 ms of round-trip time, in
// headless Chromium. The round-trip time comes from a TCP proxy that holds every chunk 20 ms in
// each direction: the browser's own latency emulation does not delay CORS preflights, so it
// would hide them. Compared, interleaved in rounds: a bare fetch with `token` in the query (how
// Esri's clients send a GET), Esri's `@esri/arcgis-rest-request` with its `ApiKeyManager` (its
// default, a form POST), and the manager (its default, and POST), each with distinct queries
// and with one repeated query; preflights counted by the emulator. Prints JSON.
import { createServer } from "node:http";
import { createServer as createTcpServer, connect } from "node:net";
import { readFileSync, existsSync } from "node:fs";
import { join, extname } from "node:path";
import { buildSync } from "../tools/node_modules/esbuild/lib/main.js";
import { startEmulator, launchChromium, loadPackage, root } from "../tests/js/harness.mjs";

const HALF_RTT_MS = 20;
const QUERIES = 12;
const ROUNDS = 5;

/** A TCP proxy to `target` that delays each chunk by HALF_RTT_MS in each direction. */
function latencyProxy(targetPort) {
  const server = createTcpServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pipe = (from, to) => from.on("data", (chunk) => setTimeout(() => to.write(chunk), HALF_RTT_MS));
    pipe(client, upstream);
    pipe(upstream, client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on("close", close); upstream.on("close", close);
    client.on("error", close); upstream.on("error", close);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The page's own origin: the app package, Esri's client bundled for the browser, a blank page. */
function pageServer() {
  const restjs = buildSync({
    stdin: { contents: 'export { request, ApiKeyManager } from "@esri/arcgis-rest-request";', resolveDir: join(root, "tests", "js"), loader: "js" },
    bundle: true, format: "esm", minify: true, write: false, platform: "browser",
  }).outputFiles[0].text;
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/restjs.js") return res.writeHead(200, { "content-type": types[".js"] }).end(restjs);
    if (path === "/") return res.writeHead(200, { "content-type": types[".html"] }).end("<!doctype html><title>bench</title><link rel=icon href=data:,>");
    const file = join(root, "pkg", path.replace(/^\/pkg\//, ""));
    if (!path.startsWith("/pkg/") || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Runs in the page: every way of calling, interleaved in rounds; ms per request and the
 * preflights each caused. (Self-contained: passed to the page as source.) */
async function measure([services, key, QUERIES, ROUNDS]) {
  const { default: init, CredentialManager } = await import("/pkg/index.js");
  await init();
  const { request, ApiKeyManager } = await import("/restjs.js");
  const geocode = `${services}/arcgis/rest/services/World/GeocodeServer/findAddressCandidates`;
  const manager = new CredentialManager({ portal: `${services}/portal`, keys: [key] });
  const auth = ApiKeyManager.fromKey(key);
  const ways = {
    fetchQuery: async (q) => {
      const u = new URL(geocode);
      u.searchParams.set("SingleLine", q); u.searchParams.set("f", "json"); u.searchParams.set("token", key);
      return (await fetch(u)).json();
    },
    restjs: (q) => request(geocode, { params: { SingleLine: q }, authentication: auth }),
    manager: (q) => manager.request(geocode, { SingleLine: q }),
    managerPost: (q) => manager.request(geocode, { SingleLine: q }, { method: "POST" }),
    managerHeader: (q) => manager.request(geocode, { SingleLine: q }, { authHeader: true }),
  };
  // The emulator's counters, read by the bench in Node (its helpers answer only its own origins).
  const stats = () => window.preflights();
  const out = {};
  for (const name of Object.keys(ways)) out[name] = { distinct: [], repeated: [], preflights: { distinct: 0, repeated: 0 } };
  // Warm up connections and compilation (not counted).
  for (const [name, f] of Object.entries(ways)) await f(`warm-${name}`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, f] of Object.entries(ways)) {
      for (const kind of ["distinct", "repeated"]) {
        const before = await stats();
        const start = performance.now();
        for (let i = 0; i < QUERIES; i++) {
          const answer = await f(kind === "distinct" ? `${name} ${round} ${i}` : `${name} repeated`);
          if (!Array.isArray(answer.candidates)) throw new Error(`${name}: no candidates`);
        }
        out[name][kind].push((performance.now() - start) / QUERIES);
        out[name].preflights[kind] += (await stats()) - before;
      }
    }
  }
  return out;
}

const emu = await startEmulator();
const proxy = await latencyProxy(new URL(emu.url).port);
const page = await pageServer();
const browser = await launchChromium();
try {
  const owner = await loadPackage("pkg-owner");
  const session = await owner.PortalSession.signIn(emu.portal, emu.username, emu.password);
  const creds = await session.createCredentials({ title: "bench cross-origin", privileges: ["premium:user:geocode"] });
  const { key } = await session.generateKey(creds.itemId, 1, new Date(Date.now() + 100 * 86_400_000));
  const services = `http://127.0.0.1:${proxy.address().port}`;
  const tab = await browser.newPage();
  await tab.exposeFunction("preflights", async () => (await (await fetch(`${emu.url}/emulator/stats`)).json()).preflights);
  await tab.goto(`http://127.0.0.1:${page.address().port}/`);
  const raw = await tab.evaluate(measure, [services, key, QUERIES, ROUNDS]);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const r1 = (x) => +x.toFixed(1);
  const rows = {};
  for (const [name, r] of Object.entries(raw)) {
    rows[name] = {
      distinctMs: r1(median(r.distinct)), repeatedMs: r1(median(r.repeated)),
      preflightsDistinct: r.preflights.distinct, preflightsRepeated: r.preflights.repeated,
      requests: QUERIES * ROUNDS,
    };
  }
  const base = rows.restjs;
  for (const r of Object.values(rows)) {
    r.vsRestjsDistinct = +(r.distinctMs / base.distinctMs).toFixed(2);
    r.vsRestjsRepeated = +(r.repeatedMs / base.repeatedMs).toFixed(2);
  }
  console.log(JSON.stringify({ rttMs: 2 * HALF_RTT_MS, queries: QUERIES, rounds: ROUNDS, rows }));
} finally {
  await browser.close();
  proxy.close();
  page.close();
  await emu.stop();
}
