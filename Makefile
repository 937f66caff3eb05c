# The two commands: `make run` and `make test`. Each installs what is
# missing on a Debian/Ubuntu machine first.
SHELL := /bin/bash
CARGO ?= cargo
UI_STAMP := ui/node_modules/.package-lock.json
# Tests build with their dev-dependencies' features unified into shared
# crates (tokio's test-util, syn's fold, …), so a test build and the app's
# build differ in about a hundred crates. Each keeps its own target folder,
# so `make run` after `make test` (or the other way round) rebuilds nothing.
TEST_CARGO := env CARGO_TARGET_DIR=target/test-build $(CARGO)

.PHONY: run test deps test-deps fixtures ui build lint test-ui test-rust bench bench-window bindings screenshots clean

run: deps ui build
	./target/debug/backoffice demo
	@if [[ -z "$${DISPLAY:-}" && -z "$${WAYLAND_DISPLAY:-}" ]]; then \
	  echo "make run: no display to open the console on (DISPLAY is not set)."; \
	  echo "Run it from a desktop session, or try it headless: xvfb-run make run"; \
	  exit 1; \
	fi
	./target/debug/backoffice-desktop

# No separate build: `cargo test` builds the binaries the tests run, with
# the test feature set; a plain build first would compile much of it twice.
test: test-deps ui lint test-ui fixtures test-rust

deps:
	@scripts/deps.sh

test-deps:
	@scripts/deps.sh --test
	@scripts/services.sh

# Real back ends made by their frameworks' own migrations (Django, axes,
# allauth from PyPI), built once per run on every backend; tests copy them.
fixtures: test-deps
	@scripts/fixtures.sh

$(UI_STAMP): ui/package.json ui/package-lock.json
	# npm install, not npm ci: it honours the lock file, and npm ci rejects
	# locks written without resolved URLs (omit-lockfile-registry-resolved).
	cd ui && npm install --no-audit --no-fund

ui: $(UI_STAMP)
	cd ui && npm run build

build:
	$(CARGO) build --workspace --bins

lint:
	$(CARGO) fmt --all -- --check
	$(TEST_CARGO) clippy --workspace --all-targets -- -D warnings

test-ui: $(UI_STAMP)
	cd ui && npm test

test-rust:
	scripts/with-session.sh $(TEST_CARGO) test --workspace --no-fail-fast

bench:
	scripts/bench.sh

# The window's speed on 1,000,000 users (docs/BENCHMARKS.md).
BENCH_DB ?= /tmp/backoffice-users1m.db
bench-window: test-deps ui
	$(CARGO) build -p backoffice-cli -p backoffice-desktop --bins
	test -f $(BENCH_DB) || ./target/debug/backoffice --db sqlite:$(BENCH_DB) seed --users 1000000 --orders 100000 --seed 1
	scripts/with-session.sh $(CARGO) run --example window_bench -- $(BENCH_DB) 5

# Rewrites ui/src/bindings from the Rust types (the tests fail while the
# committed files differ).
bindings:
	BACKOFFICE_WRITE_BINDINGS=1 $(TEST_CARGO) test -p backoffice-desktop --lib bindings

# Regenerates the README's pictures from the real app in a virtual window.
screenshots: ui
	scripts/with-session.sh $(TEST_CARGO) test -p backoffice-desktop --test window --test console
	cp target/screenshots/*.png docs/screenshots/

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules
