// Hostile arguments at the JS boundary, in Node: every exported function, constructor, static
// and instance method is called with every pair from a set of wrong values (wrong types, NaN,
// huge strings, lone surrogates, Symbols, BigInts, throwing getters and Proxies). Every failure
// must be a CredentialError, except two that belong to the caller: JavaScript's own conversion
// of a Symbol or BigInt for a `number` parameter (a TypeError before the call reaches the
// module), and an exception the caller's own object throws, passed through unchanged. No call
// may trap (a Rust panic is a WebAssembly RuntimeError), and the module must keep working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPackage, startEmulator } from "./harness.mjs";

const pkg = await loadPackage();
const ownerPkg = await loadPackage("pkg-owner");
const CALLER_ERRORS = new Set(["boom", "proxy get", "proxy keys"]);
const throwing = new Proxy({}, {
  get() { throw new Error("proxy get"); },
  ownKeys() { throw new Error("proxy keys"); },
});
const values = {
  undef: undefined, null: null, zero: 0, nan: NaN, neg: -1, huge: 1e308, empty: "",
  long: "h".repeat(200_000), obj: {}, arr: [], nums: [1, 2], sym: Symbol("s"), fn: () => 1,
  badDate: new Date(NaN), bool: true, big: 10n, evilStr: { toString() { throw new Error("boom"); } },
  proxy: throwing, mixedArr: ["https://a.example.com", 5], nestedArr: [["x"]],
  surrogate: "\u{1F600}\uD800", key: "AAPT" + "x".repeat(60),
};

// Runs the calls; each must return, or throw (or reject with) the CredentialError of the package
// `p` it belongs to, never trap or throw anything else.
async function sweep(calls, p) {
  const bad = [];
  let count = 0;
  const check = (where, e) => {
    if (e instanceof p.CredentialError) {
      assert.ok(typeof e.code === "string" && e.message.length > 10, `${where}: ${e.code} ${e.message}`);
      return;
    }
    if (e instanceof WebAssembly.RuntimeError) return bad.push(`${where}: TRAP ${e.message}`);
    if (CALLER_ERRORS.has(e?.message)) return;
    if (e instanceof TypeError && /Cannot convert a (Symbol|BigInt) value to a number/.test(e.message)) return;
    bad.push(`${where}: ${e?.constructor?.name} ${e?.message ?? e}`);
  };
  for (const [where, f] of calls) {
    count++;
    try {
      const r = f();
      if (r instanceof Promise) await r.catch((e) => check(`${where} (rejected)`, e));
    } catch (e) {
      check(where, e);
    }
  }
  return { bad, count };
}

function* pairs(name, f) {
  for (const [a, va] of Object.entries(values)) {
    yield [`${name}(${a})`, () => f(va)];
    for (const [b, vb] of Object.entries(values)) yield [`${name}(${a}, ${b})`, () => f(va, vb)];
  }
}

function* methods(iname, inst) {
  const proto = Object.getPrototypeOf(inst);
  for (const m of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, m);
    if (typeof d.value !== "function" || m === "constructor" || m === "free" || m.startsWith("__")) continue;
    yield* pairs(`${iname}.${m}`, (a, b) => inst[m](a, b));
  }
}

function* functions(label, p) {
  const skip = new Set(["default", "initSync", "start"]);
  for (const [name, f] of Object.entries(p)) {
    if (typeof f !== "function" || skip.has(name) || /^[A-Z]/.test(name)) continue;
    yield* pairs(`${label}${name}`, f);
  }
}

// The owner package's entry points: its own (checkPrerequisites, the credentials item with
// fromPortal and fromAppInfo) and the ones both packages carry, which are a separate build here.
function* ownerEverything() {
  yield* functions("owner:", ownerPkg);
  yield* pairs("owner:new ApiKeyCredentials", (a, b) => new ownerPkg.ApiKeyCredentials(a, b));
  yield* pairs("owner:ApiKeyCredentials.fromPortal", (a, b) => ownerPkg.ApiKeyCredentials.fromPortal(a, b));
  yield* pairs("owner:ApiKeyCredentials.fromAppInfo", (a, b) => ownerPkg.ApiKeyCredentials.fromAppInfo(a, b));
  const creds = new ownerPkg.ApiKeyCredentials({
    itemId: "a".repeat(32), title: "t", owner: "o", portalUrl: "https://www.arcgis.com",
    clientId: "c", httpReferrers: [], privileges: [],
    key1: { key: values.key, expiresAt: Date.now() + 1e9 },
  });
  yield* methods("owner:creds", creds);
}

function* everything() {
  yield* functions("", pkg);
  for (const name of ["ReferrerRules", "CredentialManager"]) {
    yield* pairs(`new ${name}`, (a, b) => new pkg[name](a, b));
  }
  const instances = {
    rules: new pkg.ReferrerRules(["https://*.example.com"]),
    // Port 9 (discard) on loopback: requests fail fast and are reported, never hang.
    manager: new pkg.CredentialManager({ portal: "http://127.0.0.1:9", keys: [values.key], timeoutMs: 50 }),
  };
  for (const [iname, inst] of Object.entries(instances)) yield* methods(iname, inst);
}

test("every entry point answers wrong arguments with a CredentialError, and never traps", async () => {
  const { bad, count } = await sweep(everything(), pkg);
  assert.ok(count > 12_000, `swept ${count} calls`);
  assert.deepEqual(bad.slice(0, 20), [], `${bad.length} calls failed some other way`);
  const owner = await sweep(ownerEverything(), ownerPkg);
  assert.ok(owner.count > 5_000, `swept ${owner.count} calls of the owner package`);
  assert.deepEqual(owner.bad.slice(0, 20), [], `${owner.bad.length} calls failed some other way`);
  // Still alive and answering correctly after all of it.
  assert.equal(pkg.checkReferrer(["https://a.example.com"], "https://a.example.com/").allowed, true);
  assert.equal(pkg.checkReferrer(["https://*.github.io"], "https://a.github.io/").allowed, false);
});

test("the owner tools answer wrong arguments the same way, against the emulator", async () => {
  const emu = await startEmulator(["--alt-port", "none"]);
  try {
    const calls = [...pairs("PortalSession.signIn", (a, b) => ownerPkg.PortalSession.signIn(a, b, emu.password))];
    const session = await ownerPkg.PortalSession.signIn(emu.portal, emu.username, emu.password);
    const { bad, count } = await sweep([...calls, ...methods("session", session)], ownerPkg);
    assert.ok(count > 5_000, `swept ${count} calls`);
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} calls failed some other way`);
    // The session still works.
    assert.ok(Array.isArray(await session.listCredentials()));
  } finally {
    await emu.stop();
  }
});

test("listener arguments are checked like every other argument", () => {
  const m = new pkg.CredentialManager({ portal: "https://www.arcgis.com", keys: [values.key] });
  assert.throws(() => m.addEventListener(42, () => {}), (e) => e instanceof pkg.CredentialError && e.code === "INVALID_ARGUMENT");
  assert.throws(() => m.addEventListener("expiring", 42), (e) => e instanceof pkg.CredentialError && e.code === "INVALID_ARGUMENT");
  m.addEventListener("expiring", null); // a no-op, as in the DOM
  let seen = 0;
  const f = () => seen++;
  m.addEventListener("custom", f);
  m.dispatchEvent(new Event("custom"));
  m.removeEventListener("custom", f);
  m.dispatchEvent(new Event("custom"));
  assert.equal(seen, 1);
  return m.getToken(7).then(
    () => assert.fail("getToken(7) resolved"),
    (e) => assert.ok(e instanceof pkg.CredentialError && e.code === "INVALID_ARGUMENT", String(e)),
  );
});
