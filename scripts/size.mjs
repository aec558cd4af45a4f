// Size of what a package ships (pkg/ or pkg-owner/): raw, gzip -9 and brotli per file, runtime
// total (what a page loads: the .wasm and index.js) and everything. With --check, fails when the runtime gzip
// total exceeds the budget (BUDGET_GZIP, default 100 KB counted as 100,000 bytes). Prints JSON
// on the last line.
import { readdirSync, readFileSync, statSync } from "node:fs";
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
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
const runtime = rows.filter((r) => r.runtime);
const out = {
  files: rows,
  runtime: { raw: sum(runtime, "raw"), gzip: sum(runtime, "gzip"), brotli: sum(runtime, "brotli") },
  everything: { raw: sum(rows, "raw"), gzip: sum(rows, "gzip"), brotli: sum(rows, "brotli") },
  budgetGzip: budget,
};
for (const r of rows) console.log(`${r.file.padEnd(48)} ${String(r.raw).padStart(8)} raw ${String(r.gzip).padStart(8)} gzip ${String(r.brotli).padStart(8)} brotli`);
console.log(`${dir}: runtime (.wasm + index.js): ${out.runtime.raw} raw, ${out.runtime.gzip} gzip, ${out.runtime.brotli} brotli; budget ${budget} gzip`);
console.log(JSON.stringify(out));
if (check && out.runtime.gzip > budget) {
  console.error(`size: FAIL: ${out.runtime.gzip} B gzip > budget ${budget} B`);
  process.exit(1);
}
