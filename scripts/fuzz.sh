#!/usr/bin/env bash
# Fuzzes every target with cargo-fuzz (pinned) on the pinned nightly, FUZZ_SECONDS each (default 600),
# two at a time. Corpora live in fuzz/corpus (not committed); crashers land in fuzz/artifacts:
# fix them and copy them to tests/fuzz-regressions/<target>/, which `make test` replays.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${FUZZ_SECONDS:-600}"
# Pinned: cargo-fuzz at one version, and the package build's nightly (scripts/package-toolchain.sh),
# so a new release of either cannot change what `make fuzz` does.
CARGO_FUZZ_VERSION=0.13.2
# shellcheck source=package-toolchain.sh
. scripts/package-toolchain.sh
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --locked --force \
    || cargo install cargo-fuzz --version "=$CARGO_FUZZ_VERSION" --force
fi
rustup toolchain list | grep -q "^$PACKAGE_TOOLCHAIN" \
  || rustup toolchain install "$PACKAGE_TOOLCHAIN" --profile minimal --component rust-src
nightly="+$PACKAGE_TOOLCHAIN"
targets=(referrer_pattern referrer_policy portal_json persisted_state key_strings)
(cd fuzz && cargo "$nightly" fuzz build -O)
run() {
  local t=$1
  mkdir -p "fuzz/corpus/$t"
  cp -n "tests/fuzz-regressions/$t/"* "fuzz/corpus/$t/" 2>/dev/null || true
  (cd fuzz && cargo "$nightly" fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1) \
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
