#!/usr/bin/env bash
# Builds the npm package into pkg/: release wasm (pinned nightly, see package-toolchain.sh) → wasm-bindgen --target web → npm wasm-opt -Oz
# → package.json (from pkg.json), entry module and typings → minified JS.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# shellcheck source=package-toolchain.sh
. scripts/package-toolchain.sh
crate=apikey_credentials
out=pkg
RUSTFLAGS="$PACKAGE_RUSTFLAGS" cargo "+$PACKAGE_TOOLCHAIN" build --release --target wasm32-unknown-unknown \
  -p apikey-credentials --lib "${PACKAGE_CARGO_FLAGS[@]}" --target-dir "$PACKAGE_TARGET_DIR"
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name "$crate" \
  "$PACKAGE_TARGET_DIR/wasm32-unknown-unknown/release/$crate.wasm"
# npm binaryen only: Debian's wasm-opt 108 corrupts the externref table (see toolchain notes).
# --converge repeats -Oz until nothing changes: 0.3 KB gzip for 4 s of build.
# --one-caller-inline-max-function-size 0: binaryen no longer inlines every function that has
# a single caller into it. The module is 3 % larger raw but 5 % smaller gzipped (5.4 KB of the package,
# measured): small functions with their own local numbering repeat far more than the same
# code spliced into the big exported functions.
tests/js/node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size 0 --converge \
  --coalesce-locals-learning --reorder-locals --strip-debug --strip-producers \
  "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
# Alike functions next to each other (see the script), then the names that carried the order go,
# and the target-features section (read by wasm-opt for the features; wasm-bindgen has run).
node scripts/order-functions.mjs "$out/${crate}_bg.wasm"
tests/js/node_modules/.bin/wasm-opt --reorder-functions-by-name --strip-debug --strip-target-features \
  "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
# Short import/export names between the .wasm and its glue (see the script).
node scripts/shorten-names.mjs "$out"
node scripts/package.mjs "$out"
# The JS glue is minified like any published bundle (names of exports and classes kept).
node scripts/minify.mjs "$out"
echo "build: $out/ ready ($(wc -c < "$out/${crate}_bg.wasm") bytes of wasm)"
