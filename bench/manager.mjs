// Manager overhead in Node against the emulator: getToken() calls per second; request() through
// the manager vs a bare fetch of the same URL (same key, same form), interleaved; and the number
// of requests the emulator sees for a request that fails over. Prints JSON.
import { startEmulator, loadPackage } from "../tests/js/harness.mjs";

const pkg = await loadPackage();
const emu = await startEmulator(["--alt-port", "none"]);
const DAY = 86_400_000;
try {
  const session = await pkg.PortalSession.signIn(emu.portal, emu.username, emu.password);
  const creds = await session.createCredentials({ title: "bench", privileges: ["premium:user:basemaps"] });
  const k1 = await session.generateKey(creds.itemId, 1, new Date(Date.now() + 200 * DAY));
  const k2 = await session.generateKey(creds.itemId, 2, new Date(Date.now() + 100 * DAY));
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

  const bare = async () => {
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ f: "json", token: k1.key }) });
    const j = await r.json();
    if (!j.appInfo) throw new Error("bare fetch failed");
  };
  const viaManager = async () => {
    const j = await manager.request(url);
    if (!j.appInfo) throw new Error("manager request failed");
  };
  for (let i = 0; i < 50; i++) { await bare(); await viaManager(); }
  // Interleaved pairs in rounds; each round's ratio is median(manager) / median(bare) (a GC
  // pause or a scheduler hiccup on this shared machine moves a sum, not a median), and the
  // figure is the median of the rounds. The ratio of the means is reported beside it.
  const N = 400, ROUNDS = 5;
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
    bareMs: +mid.bare.toFixed(3), managerMs: +mid.manager.toFixed(3), ratio: +mid.ratio.toFixed(3),
    roundRatios: rounds.map((r) => +r.ratio.toFixed(3)),
    meanBareMs: +(tb / (N * ROUNDS)).toFixed(3), meanManagerMs: +(tm / (N * ROUNDS)).toFixed(3), meanRatio: +(tm / tb).toFixed(3),
    failoverRequests: after - before - 1, normalRequests: afterSingle - single - 1,
  }));
} finally {
  await emu.stop();
}
