#!/usr/bin/env bash
# Installs everything the build, the demo and the tests need. Idempotent: a second run checks
# and skips in seconds. Installs only from the package registries (crates.io and rustup's server, Debian, npm).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || die "cargo is not installed (install Rust with rustup first)"
command -v node >/dev/null || die "node is not installed (Node 20 is required)"
command -v npm >/dev/null || die "npm is not installed"

# 1. The pinned stable toolchain (rust-toolchain.toml) with clippy, rustfmt and the wasm32 target.
stable=$(awk -F'"' '/^channel/ { print $2 }' rust-toolchain.toml)
[ -n "$stable" ] || die "could not read the channel from rust-toolchain.toml"
if rustup target list --toolchain "$stable" --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  && rustup component list --toolchain "$stable" --installed 2>/dev/null | grep -q '^clippy'; then
  say "Rust $stable with clippy, rustfmt and wasm32-unknown-unknown: present"
else
  say "installing Rust $stable with clippy, rustfmt and wasm32-unknown-unknown"
  rustup toolchain install "$stable" --profile minimal --component clippy,rustfmt \
    --target wasm32-unknown-unknown || die "rustup toolchain install $stable"
fi

# 1b. The pinned nightly the package is built with, and the standard library's source it
#     rebuilds (see package-toolchain.sh). From rustup's server, like the wasm32 target.
# shellcheck source=package-toolchain.sh
. scripts/package-toolchain.sh
if rustup component list --toolchain "$PACKAGE_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src'; then
  say "$PACKAGE_TOOLCHAIN with rust-src: present"
else
  say "installing $PACKAGE_TOOLCHAIN with rust-src (the package build's toolchain, about 15 s)"
  rustup toolchain install "$PACKAGE_TOOLCHAIN" --profile minimal --component rust-src \
    || die "rustup toolchain install $PACKAGE_TOOLCHAIN"
fi

# 2. wasm-bindgen-cli at exactly the version in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$want" ] || die "could not read the wasm-bindgen version from Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" = "$want" ] && command -v wasm-bindgen-test-runner >/dev/null; then
  say "wasm-bindgen-cli $want: present"
else
  say "installing wasm-bindgen-cli $want (about 3 minutes; --locked is not used: its lockfile pins a crate the registry lacks)"
  cargo install wasm-bindgen-cli --version "=$want" --no-default-features --force \
    || die "cargo install wasm-bindgen-cli $want"
fi

# 3. Chromium (a Debian package, always the same version; playwright-core drives it in every
#    browser test) and brotli for the size report. (The Public Suffix List the tests check
#    against is vendored: tests/vectors.)
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v brotli >/dev/null || missing+=(brotli)
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, brotli: present"
else
  say "installing Debian packages: ${missing[*]}"
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
  apt-get update -qq || die "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]}"
fi

# Debian's binaryen (wasm-opt 108) silently breaks wasm-bindgen output; we only ever call the npm
# one by its path, but say so if the other is on PATH.
if command -v wasm-opt >/dev/null && [ "$(command -v wasm-opt)" = /usr/bin/wasm-opt ]; then
  say "note: /usr/bin/wasm-opt (Debian binaryen) is on PATH; it is never used here (it breaks the module)"
fi

# 4. npm packages, each set pinned by its own lockfile and re-installed only when it changes:
#    tools/ for the build (binaryen's wasm-opt, esbuild, acorn), tests/js/ for the JS tests
#    (playwright-core, typescript, vite, Esri's client).
for dir in tools tests/js; do
  stamp=$dir/node_modules/.setup-stamp
  sum=$(cat "$dir/package.json" "$dir/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    say "npm packages of $dir: present"
  else
    say "installing the npm packages of $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in $dir"
    echo "$sum" > "$stamp"
  fi
done
[ -x tools/node_modules/.bin/wasm-opt ] || die "npm binaryen did not provide wasm-opt"
say "ready"
