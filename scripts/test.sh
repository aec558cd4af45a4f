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
# The lib's unit tests are native only (the core's tests use proptest); the wasm tests are these two.
cargo clippy -p apikey-credentials --target wasm32-unknown-unknown --lib --test web_node --test web_browser -- -D warnings
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
# The tests are given their emulators: started here on free ports, their URLs passed to the
# tests at compile time (APIKEY_TEST_EMULATOR*, read in tests/web/manager.rs), with a fixed demo
# password. The test runner's page gets a free port of its own, which the emulators let call
# their /emulator/ helpers (they answer only their own origins otherwise).
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# Four distinct free ports, all chosen while held at once: the runner's page and the emulators'
# three listeners. (With --port 0 an emulator could be given the port just chosen for the
# runner, whose page then loaded from the emulator and hung.)
read -r runner_port main_port alt_port skewed_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')
export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$runner_port"
runner_origin="http://$WASM_BINDGEN_TEST_ADDRESS"
./target/release/portal-emulator --port "$main_port" --alt-port "$alt_port" --demo-password test-owner-password \
  --helper-origin "$runner_origin" --log warn > target/wasm-emulator.log 2>&1 &
pids+=($!)
./target/release/portal-emulator --port "$skewed_port" --alt-port none --clock-offset-days 25 --demo-password test-owner-password \
  --helper-origin "$runner_origin" --log warn > target/wasm-emulator-skewed.log 2>&1 &
pids+=($!)
# The URL an emulator printed ("Demo:   http://127.0.0.1:PORT/"), once it is listening.
emulator_url() {
  for _ in $(seq 1 100); do
    url=$(sed -n 's|^Demo: *\(http://[^ ]*\)/$|\1|p' "$1")
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.1
  done
  echo "the emulator did not start: $(cat "$1")" >&2
  exit 1
}
APIKEY_TEST_EMULATOR=$(emulator_url target/wasm-emulator.log)
APIKEY_TEST_EMULATOR_SKEWED=$(emulator_url target/wasm-emulator-skewed.log)
export APIKEY_TEST_EMULATOR APIKEY_TEST_EMULATOR_SKEWED
echo "wasm tests: emulators $APIKEY_TEST_EMULATOR and $APIKEY_TEST_EMULATOR_SKEWED (clock +25 days), runner page $runner_origin"
# The Node suite, then the browser suite. The browser suite's page is served by the runner,
# through a proxy that hands it one request at a time (its server sometimes never answered one of
# the page's parallel module requests, and the page never loaded), and Chromium is driven by
# playwright, as in the JS tests (tests/js/wasm-browser.mjs).
cargo test -p apikey-credentials --target wasm32-unknown-unknown --test web_node 2>&1 | tee target/wasm-tests.log
node tests/js/wasm-browser.mjs 2>&1 | tee target/wasm-browser.log
cat target/wasm-browser.log >> target/wasm-tests.log
cleanup; pids=()

step "size of the release packages"
# The budget of each npm package: gzip -9 of what a page loads (the .wasm and index.js) at most 100 KB,
# counted as 100,000 bytes (size.mjs's default; the stricter of the two readings of "KB"); each
# map integration of the app package (maps/*.js, with what it imports) at most 2 KB.
for p in pkg pkg-owner; do node scripts/size.mjs "$p" --check | grep -E '^(pkg|pkg-owner): runtime|^maps/.*budget'; done

step "JS tests (release package)"
node --test --test-concurrency=1 tests/js/ 2>&1 | tee target/js-tests.log

step "summary"
grep -h "^test result:" target/native-tests.log target/wasm-tests.log
grep -E "^# (pass|fail)" target/js-tests.log
