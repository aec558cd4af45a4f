#!/usr/bin/env bash
# Runs every measurement side by side in one run (into target/bench/), then rewrites BENCHMARKS.md
# with bench/report.mjs. The prose lives in bench/notes/, the size history in bench/size-history.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p target/bench
cargo build --release -p portal-emulator --examples --quiet
cargo build --release --example referrer_throughput --quiet

echo "bench: size"
node scripts/size.mjs pkg | tail -1 > target/bench/size.json
node scripts/size.mjs pkg-owner | tail -1 > target/bench/size-owner.json
echo "bench: twiggy"
# twiggy (crates.io) for the size breakdown; installed once, like the build's tools.
if ! command -v twiggy >/dev/null; then
  echo "bench: installing twiggy (cargo install, about 2 minutes)"
  cargo install twiggy --locked --quiet || cargo install twiggy --quiet
fi
echo "(twiggy could not be installed)" > target/bench/twiggy.txt
if command -v twiggy >/dev/null; then
  tmp=$(mktemp -d)
  # shellcheck source=package-toolchain.sh
  . scripts/package-toolchain.sh
  # The app package's module as cargo built it (scripts/build.sh keeps a copy per package).
  wasm-bindgen --target web --keep-debug --out-dir "$tmp" --out-name a "$PACKAGE_TARGET_DIR/pkg.wasm"
  # The same optimisation as the build (scripts/build.sh), names kept.
  tools/node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size 0 --converge --debuginfo "$tmp/a_bg.wasm" -o "$tmp/named.wasm"
  twiggy top -n 15 "$tmp/named.wasm" | cut -c1-150 > target/bench/twiggy.txt
  rm -rf "$tmp"
fi
echo "bench: start-up"; node bench/startup.mjs | tail -1 > target/bench/startup.json
echo "bench: referrer check"; node bench/referrer.mjs | tail -1 > target/bench/referrer.json
./target/release/examples/referrer_throughput | tail -1 > target/bench/native.json
echo "bench: manager"; node bench/manager.mjs | tail -1 > target/bench/manager.json
echo "bench: cross-origin with 40 ms RTT"; node bench/cross-origin.mjs | tail -1 > target/bench/cross-origin.json
echo "bench: emulator load"
./target/release/examples/load | grep "^{" | node -e 'let t = ""; process.stdin.on("data", (d) => (t += d)).on("end", () => console.log(JSON.stringify(t.trim().split("\n").map((l) => JSON.parse(l)))))' > target/bench/load.json

# The report: tables from this run, notes from bench/notes/ and bench/size-history.csv.
node bench/report.mjs > BENCHMARKS.md
echo "bench: BENCHMARKS.md written"
