#!/usr/bin/env bash
# Fuzzes every target with cargo-fuzz on the nightly toolchain, FUZZ_SECONDS each (default 600),
# two at a time. Corpora live in fuzz/corpus (not committed); crashers land in fuzz/artifacts:
# fix them and copy them to tests/fuzz-regressions/<target>/, which `make test` replays.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${FUZZ_SECONDS:-600}"
command -v cargo-fuzz >/dev/null || { echo "fuzz: installing cargo-fuzz"; cargo install cargo-fuzz; }
rustup toolchain list | grep -q nightly || { echo "fuzz: installing the nightly toolchain"; rustup toolchain install nightly --profile minimal; }
targets=(referrer_pattern referrer_policy portal_json persisted_state key_strings)
(cd fuzz && cargo +nightly fuzz build -O)
run() {
  local t=$1
  mkdir -p "fuzz/corpus/$t"
  cp -n "tests/fuzz-regressions/$t/"* "fuzz/corpus/$t/" 2>/dev/null || true
  (cd fuzz && cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1) \
    > "target/fuzz-$t.log" 2>&1
  echo "fuzz: $t: $(grep -E 'stat::number_of_executed_units' "target/fuzz-$t.log" | awk '{print $2}') execs, exit 0"
}
mkdir -p target
jobs="${FUZZ_JOBS:-2}"
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  pids=()
  for ((j = i; j < i + jobs && j < ${#targets[@]}; j++)); do run "${targets[$j]}" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p"; done
done
