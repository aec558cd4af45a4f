// Requests in flight together when a key dies, in Node against the emulator: every request still
// gets its answer with exactly one extra round trip, and the listeners hear about the dead key
// once (one `invalid`, one `failover`), not once per request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, loadPackage, twoKeyCredentials } from "./harness.mjs";

const DAY = 86_400_000;

test("concurrent requests fail over together and report a dead key once", async () => {
  const pkg = await loadPackage();
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const { session, creds, k1, k2 } = await twoKeyCredentials(emu, "concurrency");
    const m = new pkg.CredentialManager({ portal: emu.portal, keys: [k1.key, k2.key] });
    const seen = { invalid: [], failover: [] };
    for (const type of Object.keys(seen)) m.addEventListener(type, (e) => seen[type].push(e.detail));
    const url = `${emu.portal}/sharing/rest/portals/self`;
    const stats = async () => (await (await fetch(`${emu.url}/emulator/stats`)).json()).total;
    await m.request(url);

    await session.invalidateKey(creds.itemId, 1);
    const before = await stats();
    const N = 30;
    const answers = await Promise.all(Array.from({ length: N }, () => m.request(url)));
    const reached = (await stats()) - before; // requests the emulator answered
    assert.ok(answers.every((a) => a.appInfo?.itemId === creds.itemId));
    assert.equal(reached, 2 * N, "each request: one try with the dead key, one with the other");
    assert.equal(seen.invalid.length, 1, JSON.stringify(seen.invalid));
    assert.equal(seen.failover.length, 1);
    assert.deepEqual([seen.failover[0].from, seen.failover[0].to], [1, 2]);
    const usage = m.usage();
    assert.equal(usage[0].failures.INVALID_TOKEN, N);
    assert.equal(usage[1].requests, N);

    // Then the other key dies too, under concurrent requests: each is refused, one `invalid`.
    await session.invalidateKey(creds.itemId, 2);
    const refused = await Promise.allSettled(Array.from({ length: 10 }, () => m.request(url)));
    assert.ok(refused.every((r) => r.status === "rejected" && r.reason.code === "INVALID_TOKEN"));
    assert.equal(seen.invalid.length, 2);
    assert.equal(seen.failover.length, 1);
  } finally {
    await emu.stop();
  }
});

test("a page left open hears a key cross its warning threshold on its next call", async () => {
  const pkg = await loadPackage();
  // No portal is contacted: getToken() answers from the keys held.
  const key = "AAPT" + "k".repeat(60);
  const m = new pkg.CredentialManager({
    portal: "https://www.arcgis.com",
    // 30 days and 1.2 s: "active" now, "expiring" (warnDays 30) a little later.
    keys: [{ key, expiresAt: Date.now() + 30 * DAY + 1200 }],
    warnDays: 30,
  });
  const seen = [];
  m.addEventListener("expiring", (e) => seen.push(e.detail.daysLeft));
  await new Promise((r) => setTimeout(r, 20));
  await m.getToken();
  assert.deepEqual(seen, [], "not yet within 30 days");
  await new Promise((r) => setTimeout(r, 1400));
  await m.getToken();
  await m.getToken();
  assert.deepEqual(seen, [29], "reported once, on the first call after the threshold");
  assert.equal(m.status()[0].state, "expiring");
});

// The package runs its async methods on its own small executor (src/web/task.rs): a slab of
// tasks, each woken by the promise it waits on. Here: answers of different shapes, finishing in
// any order, each reach their own caller; slots are reused over rounds; a task started from a
// listener while another task is being polled runs to its end; a rejection stays with its caller.
test("async methods: each answer reaches its own caller, in any order, round after round", { timeout: 60_000 }, async () => {
  const pkg = await loadPackage();
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const { session, creds, k1, k2 } = await twoKeyCredentials(emu, "executor");
    const m = new pkg.CredentialManager({ portal: emu.portal, keys: [k1.key, k2.key] });
    const self = `${emu.portal}/sharing/rest/portals/self`;
    // The basemap style service answers with the style's name: a different answer per URL.
    const style = (name) => `${emu.url}/arcgis/rest/services/styles/v2/styles/arcgis/${name}`;
    const unreachable = "http://127.0.0.1:9/sharing/rest/portals/self";

    for (let round = 0; round < 3; round++) {
      const kinds = Array.from({ length: 40 }, (_, i) => ["self", "style", "down"][(i * 7 + round) % 3]);
      const settled = await Promise.allSettled(kinds.map((k, i) =>
        k === "self" ? m.request(self) : k === "style" ? m.request(style(`s${round}-${i}`)) : m.request(unreachable)));
      settled.forEach((r, i) => {
        if (kinds[i] === "self") assert.equal(r.value?.appInfo?.itemId, creds.itemId, `#${i} self`);
        else if (kinds[i] === "style") assert.equal(r.value?.name, `arcgis/s${round}-${i}`, `#${i} style`);
        else assert.equal(r.reason?.code, "NETWORK", `#${i} down`);
      });
    }

    // A listener starts another request while the failing-over one is being polled.
    const fromListener = [];
    m.addEventListener("failover", () => fromListener.push(m.request(style("from-listener"))));
    await session.invalidateKey(creds.itemId, 1);
    const answer = await m.request(self);
    assert.equal(answer.appInfo.itemId, creds.itemId);
    assert.equal(fromListener.length, 1);
    assert.equal((await fromListener[0]).name, "arcgis/from-listener");
  } finally {
    await emu.stop();
  }
});
