#!/usr/bin/env bash
# Builds the two npm packages (README, "Two packages"), each the same way: release wasm of the
# crate with the package's feature (pinned nightly, see package-toolchain.sh) → wasm-bindgen
# --target web → npm wasm-opt -Oz → package.json (from its manifest), entry module and typings
# → minified JS.
#   pkg/        apikey-credentials        (pkg.json,       feature "manager"): what app pages load
#   pkg-owner/  apikey-credentials-owner  (pkg-owner.json, feature "owner"):   the owner's tools
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# shellcheck source=package-toolchain.sh
. scripts/package-toolchain.sh
crate=apikey_credentials
build_package() {
  local out=$1 manifest=$2 feature=$3
  RUSTFLAGS="$PACKAGE_RUSTFLAGS" cargo "+$PACKAGE_TOOLCHAIN" build --release --target wasm32-unknown-unknown \
    -p apikey-credentials --lib --no-default-features --features "$feature" "${PACKAGE_CARGO_FLAGS[@]}" --target-dir "$PACKAGE_TARGET_DIR"
  # A copy per package of the module as cargo built it (for twiggy in scripts/bench.sh).
  cp "$PACKAGE_TARGET_DIR/wasm32-unknown-unknown/release/$crate.wasm" "$PACKAGE_TARGET_DIR/$out.wasm"
  rm -rf "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name "$crate" "$PACKAGE_TARGET_DIR/$out.wasm"
  # npm binaryen only: Debian's wasm-opt 108 corrupts the externref table (see toolchain notes).
  # --converge repeats -Oz until nothing changes. --one-caller-inline-max-function-size 0:
  # binaryen no longer inlines every function that has a single caller into it; the module is
  # larger raw but smaller gzipped, since small functions with their own local numbering repeat
  # far more than the same code spliced into the big exported functions. (Each step's gain is in
  # BENCHMARKS.md's size history.)
  tools/node_modules/.bin/wasm-opt -Oz --one-caller-inline-max-function-size 0 --converge \
    --coalesce-locals-learning --reorder-locals --strip-debug --strip-producers \
    "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
  # Alike functions next to each other (see the script), then the names that carried the order go,
  # and the target-features section (read by wasm-opt for the features; wasm-bindgen has run).
  node scripts/order-functions.mjs "$out/${crate}_bg.wasm"
  tools/node_modules/.bin/wasm-opt --reorder-functions-by-name --strip-debug --strip-target-features \
    "$out/${crate}_bg.wasm" -o "$out/${crate}_bg.wasm"
  # Short import/export names between the .wasm and its glue (see the script).
  node scripts/shorten-names.mjs "$out"
  node scripts/package.mjs "$out" "$manifest"
  # The JS glue is minified like any published bundle (names of exports and classes kept).
  node scripts/minify.mjs "$out"
  echo "build: $out/ ($manifest) ready ($(wc -c < "$out/${crate}_bg.wasm") bytes of wasm)"
}
build_package pkg pkg.json manager
build_package pkg-owner pkg-owner.json owner
