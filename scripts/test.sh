#!/usr/bin/env bash
# Every check and test: formatting, clippy (native and wasm32), native tests, wasm-bindgen tests
# in Node and headless Chromium, and the JS tests (release packages in Chromium, Node, Esri's
# client, size budget). Each step starts and stops the servers it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy (wasm32: both packages' feature sets, and both together)"
cargo clippy -p apikey-credentials --target wasm32-unknown-unknown --lib --tests -- -D warnings
for f in manager owner; do
  cargo clippy -p apikey-credentials --target wasm32-unknown-unknown --lib --no-default-features --features "$f" -- -D warnings
done

step "cargo doc (native and wasm32, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p apikey-credentials
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p apikey-credentials --target wasm32-unknown-unknown

step "release emulator"
cargo build --release -p portal-emulator

step "native tests"
cargo test --workspace 2>&1 | tee target/native-tests.log
step "wasm-bindgen tests (Node and headless Chromium), against two emulators"
# Fixed ports and password: the wasm tests read them at compile time (tests/web/manager.rs).
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# The test runner serves its page from a fixed origin, which the emulators let call their
# /emulator/ helpers (they answer only their own origins otherwise).
export WASM_BINDGEN_TEST_ADDRESS=127.0.0.1:18479
runner_origin="http://$WASM_BINDGEN_TEST_ADDRESS"
for port in 18479 18480 18481 18482; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use: stop what listens there (an old test emulator?) and retry" >&2; exit 1
  fi
done
./target/release/portal-emulator --port 18480 --alt-port 18481 --demo-password test-owner-password --helper-origin "$runner_origin" --log warn &
pids+=($!)
./target/release/portal-emulator --port 18482 --alt-port none --clock-offset-days 25 --demo-password test-owner-password --helper-origin "$runner_origin" --log warn &
pids+=($!)
for port in 18480 18482; do
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done
cargo test -p apikey-credentials --target wasm32-unknown-unknown --test web_node --test web_browser 2>&1 | tee target/wasm-tests.log
cleanup; pids=()

step "size of the release packages"
# The budget of each npm package: gzip -9 of what a page loads (.wasm + .js) at most 100 KB,
# counted as 100,000 bytes (size.mjs's default; the stricter of the two readings of "KB").
for p in pkg pkg-owner; do node scripts/size.mjs "$p" --check | tail -2 | head -1; done

step "JS tests (release package)"
node --test --test-concurrency=1 tests/js/ 2>&1 | tee target/js-tests.log

step "summary"
grep -h "^test result:" target/native-tests.log target/wasm-tests.log
grep -E "^# (pass|fail)" target/js-tests.log
