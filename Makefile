# Touchpoint: `make run` serves the app, `make test` runs every check. Both install what is
# missing first (and skip what is already there).

SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# An optional compiler cache: used when sccache is installed, never required.
ifneq ($(shell command -v sccache 2>/dev/null),)
export RUSTC_WRAPPER ?= sccache
endif

CARGO_LEPTOS_VERSION := 0.3.11
SURREAL_VERSION := 3.3.5
# Release front ends get content-hashed file names (cached for a year by browsers) and
# brotli/gzip copies that the server sends as they are.
RELEASE_ENV := LEPTOS_HASH_FILES=true
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3; exit }' Cargo.lock)

.PHONY: run test bench bench-10x live-bench crash scale scale-bench surreal size bootstrap toolchain cargo-leptos wasm-bindgen nextest npm pyvenv chromium build-release build-debug lint unit e2e fmt clean

## make run: install what is missing, build in release, load the demo data into an empty ./data
## (printing the demo admin's password), then serve http://127.0.0.1:3000.
run: toolchain cargo-leptos wasm-bindgen npm build-release
	mkdir -p data
	# First run only: load the demo workspace and print the demo admin's password.
	./target/release/touchpoint demo --if-empty
	./target/release/touchpoint serve

## make test: fmt, the layers' rules (scripts/check-architecture.py), clippy per crate, the crates'
## docs (no broken links), unit and integration tests, then Playwright in Chromium, API fuzzing,
## and email against aiosmtpd.
test: bootstrap
	scripts/test.sh

## make bench: the performance benchmark on the large demo workspace (release build, wrk
## against the server pinned to one core, a bare axum handler as the ceiling). Not part of
## make test: it takes about 7 minutes after the build.
bench: toolchain cargo-leptos wasm-bindgen npm
	scripts/bench.sh

## make bench-10x: what grows with the whole workspace, at 200 and at 2,000 projects in one run
## (the large demo, and its export copied ten times by scripts/grow-workspace.py): the import,
## the start, the first portfolio, the portfolio after a rename, the warm portfolio and /reports,
## the project page and report, memory, and 100 readers of one project with and without a writer.
## Not part of make test (some 30 minutes after the build).
bench-10x: toolchain cargo-leptos wasm-bindgen npm build-release
	BENCH_SKIP_BUILD=1 scripts/bench-growth.sh

## make crash: crash durability on the release build. 20 rounds of 1,000 concurrent project
## creations through the API, the server killed with SIGKILL at a random moment in each, then
## restarted: every acknowledged write must be there and nothing half-written. Prints
## "N passed, N failed". Not part of make test (a few minutes after the build).
crash: toolchain cargo-leptos wasm-bindgen npm build-release
	python3 scripts/crash.py

## make scale: several instances on one SurrealDB server. Starts the SurrealDB 3.3.5 server built
## from the Rust registry (tools/surreal) and three release instances on it, then checks
## migrations started at once, reads after writes across instances, live updates and presence,
## webhooks exactly once (also with the sender killed), writes while an instance is killed, and
## a backup over ws:// while serving. Prints "N passed, N failed". Not part of make test (the
## SurrealDB build takes long, once per machine; the checks about five minutes).
scale: toolchain cargo-leptos wasm-bindgen npm build-release surreal
	python3 scripts/scale.py

## make scale-bench: req/s and p99 of a project page, its report and the portfolio with one, two
## and three instances on one SurrealDB server, and with one instance on the embedded database.
scale-bench: toolchain cargo-leptos wasm-bindgen npm build-release surreal
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }
	python3 scripts/scale-bench.py

## The SurrealDB server (`surreal`, version 3.3.5, memory and SurrealKV storage), built from the
## crates.io registry by tools/surreal and installed into ~/.cargo/bin, once per machine.
surreal: toolchain
	@if surreal version 2>/dev/null | grep -q "^$(SURREAL_VERSION) "; then \
		echo "surreal $(SURREAL_VERSION): present"; \
	else \
		echo "Building the SurrealDB $(SURREAL_VERSION) server (about 70 minutes on two cores, once per machine)"; \
		cargo install --locked --path tools/surreal --target-dir tools/surreal/target; \
	fi

## make size: builds the release front end only (a few minutes) and prints, per page, the
## brotli size of what the browser downloads from /pkg, against the goals (150 KB for an
## invite link and the sign-in page, 300 KB for any page). Not part of make test.
size: toolchain cargo-leptos wasm-bindgen npm
	$(RELEASE_ENV) cargo leptos build --release --precompress --frontend-only
	node scripts/size.mjs target/site/pkg

## make live-bench: on the release build, 1,000 event streams on one retro board (50 people with
## 20 tabs each, one session per person) refetch the page on each change, as the browser does;
## prints the database queries per second while idle, memory per open stream, and the time
## until every tab's page shows each of 20 new cards. Not part of make test.
live-bench: toolchain cargo-leptos wasm-bindgen npm build-release
	scripts/live-bench.sh 50 20 20

bootstrap: toolchain cargo-leptos wasm-bindgen nextest npm chromium pyvenv

toolchain:
	@command -v rustup >/dev/null || { echo "rustup is required: https://rustup.rs"; exit 1; }
	rustup toolchain install >/dev/null 2>&1 || rustup toolchain install

cargo-leptos: toolchain
	@if cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)"; then \
		echo "cargo-leptos $(CARGO_LEPTOS_VERSION): present"; \
	else \
		echo "Installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 15 minutes, once per machine)"; \
		cargo install cargo-leptos --locked --version $(CARGO_LEPTOS_VERSION); \
	fi

wasm-bindgen: toolchain
	@if wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)"; then \
		echo "wasm-bindgen $(WASM_BINDGEN_VERSION): present"; \
	else \
		echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (matches Cargo.lock)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

## cargo-nextest runs the Rust tests (see .config/nextest.toml).
nextest: toolchain
	@if cargo nextest --version >/dev/null 2>&1; then \
		echo "cargo-nextest: present"; \
	else \
		echo "Installing cargo-nextest (a few minutes, once per machine)"; \
		cargo install cargo-nextest --locked; \
	fi

npm: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund
	touch $@

## The independent OpenAPI validator (PyPI), in a virtual environment of the repo.
pyvenv: .venv/.installed

.venv/.installed: requirements-dev.txt
	@python3 -m venv .venv 2>/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv && python3 -m venv .venv; }
	.venv/bin/pip install -q -r requirements-dev.txt
	touch $@

chromium:
	@if command -v chromium >/dev/null; then \
		echo "chromium: present"; \
	else \
		echo "Installing Debian's Chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; \
	fi

build-release:
	$(RELEASE_ENV) cargo leptos build --release --precompress

build-debug:
	cargo leptos build

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf node_modules end2end/test-results end2end/playwright-report
