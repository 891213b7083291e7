# items: spec-first HTTP API. `make` lists the targets.
.DEFAULT_GOAL := help

# The PostgreSQL server the store tests use; each run creates and drops its own databases.
ITEMS_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test
export ITEMS_TEST_POSTGRES
.PHONY: help run test test-deps check check-compat check-compat-last snapshots bench link-order clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

run: ## start the server on 127.0.0.1:8000 with the seed items, stored in ./items.db (SQLite)
	cargo run --bin items-server -- --seed --store sqlite://items.db

test: test-deps ## run every test: unit, goldens, property, compile-fail, contract, stores (the CI command)
	cargo test --workspace

test-deps: ## install what the tests need besides Rust (Chromium for the docs test, a Python venv with FastAPI and schemathesis)
	@scripts/install-test-deps

check: ## cargo fmt --check and clippy with warnings as errors
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

check-compat: ## diff openapi/items.yaml against the merge base with main (BASE=REV for another): a breaking change needs a new major info.version
	cargo run -q -p codegen -- check-compat $(if $(BASE),--base $(BASE)) openapi/items.yaml

check-compat-last: ## the CI form: openapi/items.yaml against its version before the last commit that changed it
	cargo run -q -p codegen -- check-compat --last-change openapi/items.yaml

snapshots: ## regenerate the generator goldens and compile-fail outputs, then show what changed
	EXPECTORATE=overwrite cargo test -p codegen --test goldens --test diff
	TRYBUILD=overwrite cargo test --test compile_fail
	git diff --stat -- codegen/tests/golden codegen/tests/diff tests/ui

bench: ## run the benchmarks (release builds, wrk, baselines): writes benches/results/ and BENCHMARKS.md
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	python3 benches/run.py

link-order: ## profile the release server under callgrind and rewrite server/link-order.txt, the functions the linker packs together (after a dependency upgrade)
	@command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind)
	scripts/link-order

clean: ## remove build output
	cargo clean
