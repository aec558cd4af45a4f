# apikey-credentials: one entry point for setup, build, demo and tests. See README.md.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup build demo test test-native test-wasm test-js bench fuzz clean

setup:
	@./scripts/setup.sh

build: setup
	@./scripts/build.sh

# Builds the two packages, then serves the demo and a local portal on http://127.0.0.1:8080
# (and the same page on the second origin http://127.0.0.1:8081). Ctrl-C stops it.
demo: build
	cargo build --release -p portal-emulator
	./target/release/portal-emulator --www www --pkg pkg

test: build
	@./scripts/test.sh

bench: build
	@./scripts/bench.sh

fuzz: setup
	@./scripts/fuzz.sh

clean:
	cargo clean
	rm -rf pkg pkg-owner
