# The toolchain and flags of the package's release build (sourced by setup.sh, build.sh, bench.sh).
#
# The package is built with a pinned nightly because two of its size steps are unstable options:
# the standard library rebuilt with the crate (`-Z build-std`, opt-level "z" and `optimize_for_size`
# instead of rustup's prebuilt opt-level 3 std), and `-C panic=immediate-abort`, which turns every
# panic path into a bare `unreachable` (no message formatting, no file/line data; the crate is
# written not to panic, and a panic was an abort already). The gain is in BENCHMARKS.md's size
# history. Everything else (tests, clippy, the emulator, native code) uses stable; the code
# compiles on both, and `make test` runs the JS suites against this build.
# To move the pin: change the date, run `make test`; the size report shows the effect.
PACKAGE_TOOLCHAIN=nightly-2026-05-20
PACKAGE_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
PACKAGE_CARGO_FLAGS=(-Z build-std=std,panic_abort -Z build-std-features=optimize_for_size)
# Its own target directory: the std it builds differs from the stable one, so sharing target/
# would rebuild everything on every switch.
PACKAGE_TARGET_DIR=target/package
