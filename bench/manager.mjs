// Manager overhead against the emulator: getToken() calls per second; request() through the
// manager vs a bare fetch of the same URL (same key, same form), interleaved, in Node and in
// headless Chromium (where the manager is meant to run); and the number of requests the emulator
// sees for a request that fails over. Prints JSON.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, loadPackage, launchChromium, twoKeyCredentials } from "../tests/js/harness.mjs";

// Interleaved pairs in rounds; each round's ratio is median(manager) / median(bare) (a GC pause
// or a scheduler hiccup on this shared machine moves a sum, not a median), and the figure is the
// round with the median ratio. The ratio of the means is reported beside it. Self-contained: it
// also runs inside the page (passed as source).
async function interleaved(bare, viaManager, N = 400, ROUNDS = 5) {
  for (let i = 0; i < 50; i++) { await bare(); await viaManager(); }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  const rounds = [];
  let tb = 0, tm = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const b = [], m = [];
    for (let i = 0; i < N; i++) {
      let s = performance.now(); await bare(); b.push(performance.now() - s);
      s = performance.now(); await viaManager(); m.push(performance.now() - s);
    }
    tb += b.reduce((x, y) => x + y, 0);
    tm += m.reduce((x, y) => x + y, 0);
    rounds.push({ bare: median(b), manager: median(m), ratio: median(m) / median(b) });
  }
  const mid = [...rounds].sort((x, y) => x.ratio - y.ratio)[ROUNDS >> 1];
  const r3 = (x) => +x.toFixed(3);
  return {
    bareMs: r3(mid.bare), managerMs: r3(mid.manager), ratio: r3(mid.ratio),
    roundRatios: rounds.map((r) => r3(r.ratio)),
    meanBareMs: r3(tb / (N * ROUNDS)), meanManagerMs: r3(tm / (N * ROUNDS)), meanRatio: r3(tm / tb),
  };
}

// The two calls being compared, given a manager, the URL and the raw key (also passed as source).
function pair(manager, url, key) {
  const bare = async () => {
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ f: "json", token: key }) });
    const j = await r.json();
    if (!j.appInfo) throw new Error("bare fetch failed");
  };
  const viaManager = async () => {
    const j = await manager.request(url);
    if (!j.appInfo) throw new Error("manager request failed");
  };
  return { bare, viaManager };
}

const pkg = await loadPackage();
const blank = mkdtempSync(join(tmpdir(), "manager-bench-"));
writeFileSync(join(blank, "blank.html"), "<!doctype html><title>manager bench</title>");
const emu = await startEmulator(["--alt-port", "none", "--www", blank]);
try {
  const { session, creds, k1, k2 } = await twoKeyCredentials(emu, "bench");
  const manager = new pkg.CredentialManager({ portal: emu.portal, keys: [k1.key, k2.key] });
  const url = `${emu.portal}/sharing/rest/portals/self`;

  // getToken per second.
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    await manager.getToken();
    n++;
  }
  const getTokenPerSec = n / ((performance.now() - t0) / 1000);

  const { bare, viaManager } = pair(manager, url, k1.key);
  const node = await interleaved(bare, viaManager);

  // The same in a page served by the emulator (same origin as the portal, so no CORS), with the
  // package loaded as a page loads it. Chromium coarsens performance.now() to 0.1 ms.
  const browser = await launchChromium();
  let chromium;
  try {
    const page = await browser.newPage();
    await page.goto(`${emu.url}/blank.html`);
    chromium = await page.evaluate(async ({ key, measureSrc, pairSrc }) => {
      const pkg = await import("/pkg/index.js");
      await pkg.default();
      const portal = `${location.origin}/portal`;
      const measure = (0, eval)(`(${measureSrc})`);
      const makePair = (0, eval)(`(${pairSrc})`);
      const manager = new pkg.CredentialManager({ portal, keys: [key] });
      const { bare, viaManager } = makePair(manager, `${portal}/sharing/rest/portals/self`, key);
      return measure(bare, viaManager);
    }, { key: k1.key, measureSrc: interleaved.toString(), pairSrc: pair.toString() });
  } finally {
    await browser.close();
  }

  // Failover: invalidate key 1, count what reaches the emulator for one request.
  await session.invalidateKey(creds.itemId, 1);
  const stats = async () => (await (await fetch(`${emu.url}/emulator/stats`)).json()).total;
  const before = await stats();
  await viaManager();
  const after = await stats();
  const single = await stats();
  await viaManager();
  const afterSingle = await stats();
  console.log(JSON.stringify({
    getTokenPerSec: Math.round(getTokenPerSec),
    ...node,
    chromium,
    failoverRequests: after - before - 1, normalRequests: afterSingle - single - 1,
  }));
} finally {
  await emu.stop();
  rmSync(blank, { recursive: true, force: true });
}
