// Writes BENCHMARKS.md from one run's measurements (target/bench/*.json, written by
// scripts/bench.sh) and the hand-written notes beside this file (bench/notes/<section>.md, and
// the size history in bench/size-history.csv). Every figure comes from one of those: the tables
// from this run, the history from the CSV; the notes explain and do not restate them.
// Usage: node bench/report.mjs > BENCHMARKS.md
import { readFileSync } from "node:fs";

const read = (f) => readFileSync(new URL(f, import.meta.url), "utf8");
const json = (name) => JSON.parse(read(`../target/bench/${name}.json`));
const note = (name) => read(`notes/${name}.md`).trim();
const ok = (cond) => (cond ? "met" : "**missed**");
const table = (head, rows, align) =>
  [`| ${head.join(" | ")} |`, `|${align.map((a) => (a === "r" ? "---:" : "---")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

// Reads CSV: fields separated by commas, a field in double quotes may hold commas ("" is a quote).
function csv(text) {
  return text.trim().split("\n").map((line) => {
    const cells = [""];
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted && ch === '"' && line[i + 1] === '"') { cells[cells.length - 1] += '"'; i++; }
      else if (ch === '"') quoted = !quoted;
      else if (ch === "," && !quoted) cells.push("");
      else cells[cells.length - 1] += ch;
    }
    if (quoted) throw new Error(`size-history.csv: unclosed quote in ${line}`);
    return cells;
  });
}

const size = json("size"), ownerSize = json("size-owner");
const s = json("startup"), r = json("referrer"), n = json("native"), m = json("manager"), x = json("cross-origin");
const load = json("load");
const twiggy = read("../target/bench/twiggy.txt").trimEnd();
const out = [];
// Each argument a block (a paragraph, a table, a code block), with a blank line after it.
const p = (...blocks) => out.push(...blocks.flatMap((b) => [b, ""]));

p("# Benchmarks",
  `Measured by \`make bench\` on ${new Date().toISOString().slice(0, 10)}, every figure below in one run (2 cores, a noisy machine: ratios are measured side by side). Re-run: \`make bench\`.`);

p("## 1. Size");
for (const [name, sz] of [["`apikey-credentials` (what app pages load)", size], ["`apikey-credentials-owner` (the owner's tools)", ownerSize]]) {
  p(`### ${name}`,
    table(["file", "raw", "gzip -9", "brotli"], [
      ...sz.files.map((f) => [f.file, f.raw, f.gzip, f.brotli]),
      ["**runtime total (.wasm + index.js, what a page loads)**", sz.runtime.raw, `**${sz.runtime.gzip}**`, sz.runtime.brotli],
      ["everything (with typings, README)", sz.everything.raw, sz.everything.gzip, sz.everything.brotli],
    ], ["l", "r", "r", "r"]),
    `Gate: ${sz.budgetGzip} bytes gzip of the runtime total — ${ok(sz.runtime.gzip <= sz.budgetGzip)}. Goal 64 KB — ${ok(sz.runtime.gzip <= 64000)}.`);
}
if (size.maps?.length) {
  p("### The map integrations (app package, not part of the wasm)",
    table(["module", "with", "gzip -9 (together)"], size.maps.map((m) => [m.module, m.with.join(", ") || "—", m.gzip]), ["l", "l", "r"]),
    `Gate: ${size.mapsBudgetGzip} bytes gzip each — ${ok(size.maps.every((m) => m.gzip <= size.mapsBudgetGzip))}. A page loads the one it uses.`);
}
p("Largest items of the app package's module (twiggy, names kept):", "```\n" + twiggy + "\n```");
const history = csv(read("size-history.csv"));
p(note("size").replace("{{size-history}}", table(history[0], history.slice(1), ["l", "l", "r"])));

p("## 2. Start-up",
  "Headless Chromium, `import()` to ready, medians of 20 fresh page loads.",
  table(["what", "ms"], [
    ["the package, caches warm (new page each time)", `${s.medianMs} (min ${s.minMs}, max ${s.maxMs})`],
    [`the package, caches empty (new context each time; ${(size.runtime.raw / 1024).toFixed(1)} KB uncompressed)`, s.coldMedianMs],
    ["floor: a one-line module that instantiates an empty `.wasm`", s.floorMedianMs],
    ["floor: a one-line `data:` module, no fetch", s.trivialImportMedianMs],
    ["the package's `import()`", s.importMedianMs],
    ["its `init()` (fetch, streaming compile, instantiate)", s.initMedianMs],
    ["its first call", s.firstCallMedianMs],
    ["compiling its `.wasm` bytes alone", s.compileMedianMs],
  ], ["l", "r"]),
  `Goal ≤ 20 ms — ${ok(s.medianMs <= 20)}; ≤ 5 ms above the floor — ${ok(s.medianMs - s.floorMedianMs <= 5)} (${(s.medianMs - s.floorMedianMs).toFixed(1)} ms).`,
  note("startup"));

p("## 3. Referrer check",
  "10 entries, mixed referrers, one Node process; checks per second.",
  table(["implementation", "repeated referrers", "distinct, one call each", `distinct, lists of ${r.batch} (\`allowsMany\`)`], [
    ["`ReferrerRules` (wasm, from JS)", r.wasmOpsPerSec, r.missWasmOpsPerSec, r.batchWasmOpsPerSec],
    ["plain JS (entries parsed once, `new URL` per referrer)", r.jsOpsPerSec, r.missJsOpsPerSec, r.batchJsOpsPerSec],
    ["wasm / JS", `${r.ratio}×`, `${r.missRatio}×`, `${r.batchRatio}×`],
    ["native Rust (same rules)", n.nativeOpsPerSec, "", ""],
  ], ["l", "r", "r", "r"]),
  `Goal ≥ 3× for repeated referrers — ${ok(r.ratio >= 3)}; ≥ 1× for distinct ones — ${ok(r.batchRatio >= 1)}.`,
  note("referrer"));

const c = m.chromium;
p("## 4. Manager overhead",
  `\`request()\` through the manager vs a bare \`fetch\` of the same URL, same origin as the emulator: medians of 5 rounds of 400 interleaved pairs (the round with the median ratio). \`getToken()\` in Node: ${m.getTokenPerSec} calls/s.`,
  table(["where", "manager ms", "bare fetch ms", "ratio", "the five rounds", "ratio of the means"], [
    ["Node 20", m.managerMs, m.bareMs, `**${m.ratio}**`, m.roundRatios.join(", "), m.meanRatio],
    ["Chromium", c.managerMs, c.bareMs, `**${c.ratio}**`, c.roundRatios.join(", "), c.meanRatio],
  ], ["l", "r", "r", "r", "l", "r"]),
  `Goal ≤ 1.05 — ${ok(m.ratio <= 1.05 && c.ratio <= 1.05)}. Failover: ${m.failoverRequests + 1} requests reach the emulator where a normal call makes ${m.normalRequests + 1}, exactly one extra round trip — ${ok(m.failoverRequests === 1 && m.normalRequests === 0)}. Chromium coarsens \`performance.now()\` to 0.1 ms.`,
  note("manager"));

const xr = x.rows;
const wayName = {
  fetchQuery: "`fetch`, `token` in the query (how Esri's clients send a GET)",
  restjs: "Esri's `@esri/arcgis-rest-request` 4.10.2, `ApiKeyManager` (form POST)",
  manager: "`manager.request()` (default: GET, `token` in the query)",
  managerPost: "`manager.request(…, { method: \"POST\" })`",
  managerHeader: "`manager.request(…, { authHeader: true })`",
};
const worst = Math.max(xr.manager.vsRestjsDistinct, xr.manager.vsRestjsRepeated);
p("## 5. Cross-origin, with latency (what users feel)",
  `A page on one origin calls the geocoding service on another through a proxy that adds ${x.rttMs} ms of round-trip time (the browser's latency emulation does not delay CORS preflights). Headless Chromium; ${x.queries} requests a run, ${x.rounds} interleaved rounds, median ms per request.`,
  table(["way of calling", "distinct URLs", "vs Esri's", "preflights", "one URL repeated", "vs Esri's", "preflights"],
    Object.entries(xr).map(([k, v]) => [wayName[k] ?? k, v.distinctMs, `${v.vsRestjsDistinct}×`, `${v.preflightsDistinct} of ${v.requests}`, v.repeatedMs, `${v.vsRestjsRepeated}×`, `${v.preflightsRepeated} of ${v.requests}`]),
    ["l", "r", "r", "r", "r", "r", "r"]),
  `Goal: the manager's default ≤ 1.05× Esri's client with no preflight — ${ok(worst <= 1.05 && xr.manager.preflightsDistinct + xr.manager.preflightsRepeated === 0)}. A custom header costs a preflight, one more round trip, for each distinct URL.`);

const at64 = load.find((l) => l.connections === 64);
p("## 6. Emulator",
  "`portals/self` with an API key (token lookup, referrer and privilege checks); the load generator (`emulator/examples/load.rs`) shares the 2 cores.",
  table(["connections", "requests", "req/s", "p50 ms", "p99 ms", "errors"], load.map((l) => [l.connections, l.requests, l.rps, l.p50Ms, l.p99Ms, l.errors]), ["r", "r", "r", "r", "r", "r"]),
  `Goal ≥ 20,000 req/s at 64 connections — ${ok(at64 && at64.rps >= 20000)}.`);

process.stdout.write(out.join("\n"));
