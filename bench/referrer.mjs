// ReferrerRules.allows (wasm) against a plain-JS implementation of the same rules (entries parsed
// once, `new URL` per referrer), side by side in one Node process. Prints JSON.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = await import(join(root, "pkg", "index.js"));
await pkg.default({ module_or_path: readFileSync(join(root, "pkg", "apikey_credentials_bg.wasm")) });

const entries = [
  "https://app.example.com", "https://*.example.org", "http://localhost:3000", "https://www.example.net:8443",
  "https://*.maps.example.com", "http://127.0.0.1:8080", "https://example.io/app/*", "https://shop.example.co.uk",
  "https://*.cdn.example.com", "https://admin.example.com",
];
const referrers = [
  "https://app.example.com/", "https://a.b.example.org/", "http://localhost:3000/", "https://www.example.net:8443/",
  "https://x.maps.example.com/", "https://evil.example/", "https://example.org/", "http://app.example.com/",
  "https://www.example.net/", "https://app.example.com.evil.com/", "https://shop.example.co.uk/", null,
];

// The same rules in plain JS (the common subset the entries above use).
function compile(entry) {
  const m = /^(https?):\/\/([^/:?#]+)(?::(\d+))?(\/[^?#]*)?/i.exec(entry);
  const https = m[1].toLowerCase() === "https";
  let host = m[2].toLowerCase();
  const wildcard = host.startsWith("*.");
  if (wildcard) host = host.slice(2);
  let port = m[3] ? Number(m[3]) : null;
  if (port === (https ? 443 : 80)) port = null;
  let path = m[4] ?? "";
  const prefix = path.endsWith("/*");
  if (path === "/" || path === "/*") path = "";
  else if (prefix) path = path.slice(0, -1);
  return { https, host, wildcard, port, path, prefix };
}
const compiled = entries.map(compile);
function jsAllows(referrer) {
  if (!referrer) return false;
  let u;
  try { u = new URL(referrer); } catch { return false; }
  if (u.protocol !== "http:" && u.protocol !== "https:") return false;
  const https = u.protocol === "https:";
  const port = u.port === "" ? null : Number(u.port);
  const host = u.hostname;
  return compiled.some((p) => {
    if (p.https !== https || p.port !== port) return false;
    if (p.wildcard ? !(host.length > p.host.length + 1 && host.endsWith("." + p.host)) : host !== p.host) return false;
    if (!p.path) return true;
    return p.prefix ? u.pathname.startsWith(p.path) : u.pathname === p.path || u.pathname.startsWith(p.path + "/");
  });
}

const rules = new pkg.ReferrerRules(entries);
for (const r of referrers) {
  if (rules.allows(r) !== jsAllows(r)) throw new Error(`implementations disagree on ${r}`);
}
function measure(f, ms = 1500) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 1000; i++) f(referrers[(n + i) % referrers.length]);
    n += 1000;
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}
measure((r) => rules.allows(r), 300);
measure(jsAllows, 300);
const rounds = [];
for (let i = 0; i < 3; i++) rounds.push({ wasm: measure((r) => rules.allows(r)), js: measure(jsAllows) });
const wasm = Math.max(...rounds.map((r) => r.wasm));
const js = Math.max(...rounds.map((r) => r.js));

// Cache misses: every referrer distinct (a new host each time), same rules.
let k = 0;
const fresh = () => `https://h${k++}.example.org/`;
const missRounds = [];
for (let i = 0; i < 3; i++) {
  let t = performance.now(), n = 0;
  while (performance.now() - t < 700) { for (let j = 0; j < 500; j++) rules.allows(fresh()); n += 500; }
  const w = n / ((performance.now() - t) / 1000);
  t = performance.now(); n = 0;
  while (performance.now() - t < 700) { for (let j = 0; j < 500; j++) jsAllows(fresh()); n += 500; }
  missRounds.push({ wasm: w, js: n / ((performance.now() - t) / 1000) });
}
const mw = Math.max(...missRounds.map((r) => r.wasm)), mj = Math.max(...missRounds.map((r) => r.js));

// The same distinct referrers checked as a list: allowsMany crosses into wasm once per list.
const BATCH = 500;
for (let j = 0; j < 20; j++) {
  const list = Array.from({ length: BATCH }, fresh);
  const a = rules.allowsMany(list);
  for (let i = 0; i < BATCH; i++) if ((a[i] === 1) !== jsAllows(list[i])) throw new Error(`allowsMany disagrees on ${list[i]}`);
}
const batchRounds = [];
for (let i = 0; i < 3; i++) {
  let t = performance.now(), n = 0;
  while (performance.now() - t < 700) { rules.allowsMany(Array.from({ length: BATCH }, fresh)); n += BATCH; }
  const w = n / ((performance.now() - t) / 1000);
  t = performance.now(); n = 0;
  while (performance.now() - t < 700) { Array.from({ length: BATCH }, fresh).map(jsAllows); n += BATCH; }
  batchRounds.push({ wasm: w, js: n / ((performance.now() - t) / 1000) });
}
const bw = Math.max(...batchRounds.map((r) => r.wasm)), bj = Math.max(...batchRounds.map((r) => r.js));
console.log(JSON.stringify({ wasmOpsPerSec: Math.round(wasm), jsOpsPerSec: Math.round(js), ratio: +(wasm / js).toFixed(2), missWasmOpsPerSec: Math.round(mw), missJsOpsPerSec: Math.round(mj), missRatio: +(mw / mj).toFixed(2), batch: BATCH, batchWasmOpsPerSec: Math.round(bw), batchJsOpsPerSec: Math.round(bj), batchRatio: +(bw / bj).toFixed(2) }));
