// Size of what a package ships (pkg/ or pkg-owner/): raw, gzip -9 and brotli per file, runtime
// total (what a page loads: the .wasm and index.js) and everything. With --check, fails when the runtime gzip
// total exceeds the budget (BUDGET_GZIP, default 100 KB counted as 100,000 bytes). Prints JSON
// on the last line.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "pkg";
const check = process.argv.includes("--check");
const budget = Number(process.env.BUDGET_GZIP ?? 100_000);
const files = [];
const walk = (d) => { for (const f of readdirSync(d)) { const p = join(d, f); statSync(p).isDirectory() ? walk(p) : files.push(p); } };
walk(dir);
const rows = files.map((f) => {
  const b = readFileSync(f);
  return {
    file: relative(dir, f), raw: b.length,
    gzip: gzipSync(b, { level: 9 }).length,
    brotli: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    // What a page loads: the entry module and the .wasm it fetches. (node.js, the Node entry,
    // and cli.js, the owner package's CI command, never reach a page.)
    runtime: relative(dir, f) === "index.js" || f.endsWith(".wasm"),
  };
});
// The map integrations (maps/*.js): each module with the helper module it imports, as a page
// that uses one of them loads it; at most 2 KB gzip each (MAPS_BUDGET_GZIP, 2,000 bytes).
const mapsBudget = Number(process.env.MAPS_BUDGET_GZIP ?? 2_000);
const mapsDir = join(dir, "maps");
const maps = existsSync(mapsDir) ? readdirSync(mapsDir).filter((f) => f.endsWith(".js") && f !== "key.js").map((f) => {
  // The module and what it imports from its folder (leaflet.js imports maplibre.js too).
  const seen = new Set();
  const add = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const m of readFileSync(join(mapsDir, name), "utf8").matchAll(/from\s*"\.\/([\w-]+\.js)"/g)) add(m[1]);
  };
  add(f);
  const b = Buffer.concat([...seen].map((n) => readFileSync(join(mapsDir, n))));
  return { module: `maps/${f}`, with: [...seen].slice(1), gzip: gzipSync(b, { level: 9 }).length };
}) : [];
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
const runtime = rows.filter((r) => r.runtime);
const out = {
  files: rows,
  runtime: { raw: sum(runtime, "raw"), gzip: sum(runtime, "gzip"), brotli: sum(runtime, "brotli") },
  everything: { raw: sum(rows, "raw"), gzip: sum(rows, "gzip"), brotli: sum(rows, "brotli") },
  budgetGzip: budget,
  maps,
  mapsBudgetGzip: mapsBudget,
};
for (const r of rows) console.log(`${r.file.padEnd(48)} ${String(r.raw).padStart(8)} raw ${String(r.gzip).padStart(8)} gzip ${String(r.brotli).padStart(8)} brotli`);
console.log(`${dir}: runtime (.wasm + index.js): ${out.runtime.raw} raw, ${out.runtime.gzip} gzip, ${out.runtime.brotli} brotli; budget ${budget} gzip`);
for (const m of maps) console.log(`${m.module} (with ${m.with.join(", ") || "nothing"}): ${m.gzip} gzip; budget ${mapsBudget}`);
console.log(JSON.stringify(out));
const overMaps = maps.filter((m) => m.gzip > mapsBudget);
if (check && overMaps.length) {
  console.error(`size: FAIL: ${overMaps.map((m) => `${m.module} ${m.gzip} B gzip`).join(", ")} > budget ${mapsBudget} B`);
  process.exit(1);
}
if (check && out.runtime.gzip > budget) {
  console.error(`size: FAIL: ${out.runtime.gzip} B gzip > budget ${budget} B`);
  process.exit(1);
}
