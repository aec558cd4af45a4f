#!/usr/bin/env bash
# Runs the five measurements side by side in one run and rewrites BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p target/bench
cargo build --release -p portal-emulator --examples --quiet
cargo build --release --example referrer_throughput --quiet

echo "bench: size"; node scripts/size.mjs pkg > target/bench/size.txt
echo "bench: twiggy"
twiggy_out="(twiggy not installed: cargo install twiggy)"
if command -v twiggy >/dev/null; then
  tmp=$(mktemp -d)
  wasm-bindgen --target web --keep-debug --out-dir "$tmp" --out-name a target/wasm32-unknown-unknown/release/apikey_credentials.wasm
  tests/js/node_modules/.bin/wasm-opt -Oz --debuginfo "$tmp/a_bg.wasm" -o "$tmp/named.wasm"
  twiggy_out=$(twiggy top -n 15 "$tmp/named.wasm" | cut -c1-150)
  rm -rf "$tmp"
fi
echo "bench: start-up"; startup=$(node bench/startup.mjs | tail -1)
echo "bench: referrer check"; referrer=$(node bench/referrer.mjs | tail -1)
native=$(./target/release/examples/referrer_throughput | tail -1)
echo "bench: manager"; manager=$(node bench/manager.mjs | tail -1)
echo "bench: emulator load"; load=$(./target/release/examples/load | grep "^{")

node - "$startup" "$referrer" "$native" "$manager" "$load" "$twiggy_out" <<'JS' > BENCHMARKS.md
const [startup, referrer, native, manager, load, twiggy] = process.argv.slice(2);
const size = JSON.parse(require("fs").readFileSync("target/bench/size.txt", "utf8").trim().split("\n").pop());
const s = JSON.parse(startup), r = JSON.parse(referrer), n = JSON.parse(native), m = JSON.parse(manager);
const l = load.trim().split("\n").map((x) => JSON.parse(x));
const kb = (b) => (b / 1024).toFixed(1) + " KB";
const ok = (cond) => (cond ? "met" : "**missed**");
const lines = [];
lines.push("# Benchmarks", "", `Measured by \`make bench\` on ${new Date().toISOString().slice(0, 10)} (2 cores, noisy machine: ratios are measured side by side in one run). Re-run: \`make bench\`.`, "");
lines.push("## 1. Size (what the package ships)", "", "| file | raw | gzip -9 | brotli |", "|---|---:|---:|---:|");
for (const f of size.files) lines.push(`| ${f.file} | ${f.raw} | ${f.gzip} | ${f.brotli} |`);
lines.push(`| **runtime total (.wasm + .js)** | ${size.runtime.raw} | **${size.runtime.gzip}** | ${size.runtime.brotli} |`);
lines.push(`| everything (with typings, README) | ${size.everything.raw} | ${size.everything.gzip} | ${size.everything.brotli} |`, "");
lines.push(`Budget: ${kb(size.budgetGzip)} gzip (runtime) — ${ok(size.runtime.gzip <= size.budgetGzip)} (${kb(size.runtime.gzip)}). Goal 64 KB — ${ok(size.runtime.gzip <= 65536)}.`, "");
lines.push("Largest items (twiggy, names kept):", "", "```", twiggy, "```", "");
lines.push("## 2. Start-up (headless Chromium, import() → ready, 20 fresh page loads)", "", `Median ${s.medianMs} ms with the browser's caches warm (new page each time, min ${s.minMs}, max ${s.maxMs}); ${s.coldMedianMs} ms with empty caches (new browser context each time, the emulator serving ${kb(size.runtime.raw)} uncompressed). Goal ≤ 20 ms — ${ok(s.medianMs <= 20)}. The floor on this machine, measured the same way on pages of their own: a one-line module served by the same server that fetches, compiles and instantiates an empty \`.wasm\` takes ${s.floorMedianMs} ms (median); a one-line \`data:\` module, with no fetch at all, ${s.trivialImportMedianMs} ms. The package costs ${(s.medianMs - s.floorMedianMs).toFixed(1)} ms above the floor.`, "");
lines.push("## 3. Referrer check (10 entries, mixed referrers, one Node process)", "", `| implementation | checks/s |`, `|---|---:|`, `| ReferrerRules.allows (wasm, from JS) | ${r.wasmOpsPerSec} |`, `| plain JS (entries parsed once, new URL per referrer) | ${r.jsOpsPerSec} |`, `| native Rust (same rules) | ${n.nativeOpsPerSec} |`, "", `Ratio wasm/JS: ${r.ratio}×. Goal ≥ 3× — ${ok(r.ratio >= 3)}. Repeated referrers (the realistic hot loop) hit a 16-entry cache compared with JS \`===\`; with every referrer distinct (cache misses, each string copied into wasm): wasm ${r.missWasmOpsPerSec}/s vs JS ${r.missJsOpsPerSec}/s, ${r.missRatio}×.`, "");
lines.push("## 4. Manager overhead (Node, against the emulator)", "", `getToken(): ${m.getTokenPerSec} calls/s. request() through the manager ${m.managerMs} ms vs bare fetch ${m.bareMs} ms (interleaved, 400 each): ratio ${m.ratio}. Goal ≤ 1.05 — ${ok(m.ratio <= 1.05)}.`, "", `A failover request reached the emulator ${m.failoverRequests + 1} times (a normal one ${m.normalRequests + 1}): exactly one extra round trip — ${ok(m.failoverRequests === 1 && m.normalRequests === 0)}.`, "");
lines.push("## 5. Emulator (portals/self with an API key: token lookup, referrer and privilege checks)", "", "| connections | requests | req/s | p50 ms | p99 ms | errors |", "|---:|---:|---:|---:|---:|---:|");
for (const x of l) lines.push(`| ${x.connections} | ${x.requests} | ${x.rps} | ${x.p50Ms} | ${x.p99Ms} | ${x.errors} |`);
lines.push("", "Load generator and emulator share the machine's 2 cores (`emulator/examples/load.rs`).", "");
lines.push("## What the figures say, and what is left", "",
  "**Size (budget missed).** Each step measured on the runtime gzip total (in thousands of bytes here; the budget line above is in KiB, 1 KB = 1,024 bytes, as the gate counts): serde and serde-wasm-bindgen replaced by a small JSON reader over the platform's parsed values (`src/core/json.rs`): 196 → 168 KB; the JS glue bundled and minified with esbuild: → 161 KB; sorted vectors instead of B-trees: → 156.6 KB; PSL leaves without an end-of-rule mark: → 155.5 KB; one shared, boxed `future_to_promise`: → 152.2 KB; `fetch(url, init)` directly instead of gloo-net: → 148.7 KB; the 1,173 single-label PSL rules left out, since the list's implicit `*` rule already makes every single label a public suffix (`tests/psl_list.rs` checks every rule of the list against the trie): → 144.5 KB; a plain byte search instead of `str::find` with string patterns, which pulled in the two-way searcher and, through its panic path, `char` Debug formatting and the Unicode printable tables: → 138.9 KB; one non-generic fetch-and-check future in the portal client: → 138.5 KB; chrono out of the module (two pieces of calendar arithmetic in `src/core/time.rs`, chrono kept as the test oracle): → 136.7 KB; talc as the global allocator instead of the default dlmalloc (talc's WebAssembly configuration, no unsafe code on our side; a wasm test checks every byte of a mixed allocate/free/grow/shrink load): → 133.9 KB; the PSL's top-level subtrees ordered largest first, so the big alike ones sit within gzip's 32 KB window of each other: → 133.4 KB; `wasm-opt -Oz --converge`: → 133.1 KB; short names for the imports and exports between the .wasm and its glue (`scripts/shorten-names.mjs`, as Emscripten does: wasm-bindgen's names carry 16-hex-digit hashes, in both files, that gzip cannot compress): → 128.6 KB; `wasm-opt --one-caller-inline-max-function-size 0` (binaryen stops splicing every single-caller function into its caller: 3 % more raw bytes, 5 % fewer gzipped, since separate small functions repeat more): → 123.2 KB; the custom sections wasm-bindgen alone reads stripped: → 123.1 KB; the PSL trie's sibling labels front-coded (a capital letter stands for a prefix shared with the previous sibling): → 122.4 KB. Earlier: `opt-level = \"z\"` (11 KB gzip smaller than \"s\"), LTO, one codegen unit, `panic = \"abort\"`, npm `wasm-opt -Oz --one-caller-inline-max-function-size 0 --converge` with names stripped (`--converge` gains 0.3 KB; `--low-memory-unused` would gain 0.6 KB more but assumes the program never touches the lowest 1 KB of memory, which is the bottom of Rust's stack, so it is not used); no `url`, `idna`, `psl`, `regex`, `serde_json` or `chrono` in the wasm. What is left (raw bytes of the optimised module with names kept, 293 KB): data 89 KB, of which the PSL trie is 55.9 KB (26.3 KB gzip; xz reaches 25.7 KB, so a better encoding is worth about 2 KB) and the rest the diagnostics, advice and privilege-catalogue texts; the JavaScript API layer 135 KB (web and portal code 75 KB, mostly the async state machines of the manager and the owner tools, and the exported functions with their inlined bodies 60 KB); the pure rules 27 KB; std generics instantiated for our types 17 KB; precompiled std 8 KB; the allocator 1.3 KB (dlmalloc was 8 KB); js-sys/wasm-bindgen 7 KB. Compiled out one at a time, the owner tools (`PortalSession`) weigh 18 KB gzip and the manager 23 KB. Reaching 100 KB needs the API layer roughly halved with every feature kept; the candidate is a sans-IO design (Rust decides the next request and reads the answer, one small JS loop does the fetches), which takes the async state machines out of the module; splitting `PortalSession` into its own entry would spare pages that only check keys but not shrink the package.", "",
  "**Start-up (goal missed; the floor here is above it).** The package is one bundled JS module and one `.wasm`. On this machine a fresh page's first `import()` of any served module costs 10–15 ms (a one-line module takes as long as our 29 KB `index.js`, so it is the browser's fetch path, not parsing), and the floor above (module + empty `.wasm`) is already over 20 ms. What the package adds above the floor is streaming compilation and instantiation of the module and the first call (V8 compiles wasm functions lazily, on first use); a smaller module is the lever.", "",
  "**Referrer check.** Copying a string into wasm memory costs about as much as `new URL` itself, so a cache of the 16 most recent referrers (compared with `===` in one `indexOf` call) makes the realistic hot loop — the same page origin over and over — fast; every referrer distinct, wasm is slower than plain JS.", "",
  "**Manager overhead (goal missed).** Done: `fetch(url, init)` is called directly instead of through gloo-net's builder (which made the runtime construct and clone two `Request` objects per call), the form body is handed over as a `URLSearchParams`, and the request's promise chain (fetch, body, timer) runs in a few lines of JS so Rust awaits one promise per request instead of three: 1.45–1.6× → 1.09–1.28× a bare fetch across runs. What remains, measured with a CPU profile in Node: the timeout itself (an `AbortController` and a timer cost about 0.1× of a bare fetch in plain JS), the promise hops of an async method exported from Rust (`future_to_promise`, one `JsFuture`), building the request and reading the envelope across the boundary; time inside wasm is about 0.07 ms per request. The body is read with `response.json()` so it never crosses into wasm memory. Failover costs exactly one extra round trip.", "");
console.log(lines.join("\n"));
JS
echo "bench: BENCHMARKS.md written"
