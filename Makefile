# `make test` is the project's one test command: on a fresh machine it installs everything
# the suite needs (a virtualenv with the package and its extras, and Debian's redis-server),
# then runs ruff, the import-linter contracts, mypy --strict and pytest with warnings as
# errors.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test install system-deps lint typecheck unit bench generate clean

test: install system-deps lint typecheck unit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,cli,redis]'
	touch $(STAMP)

install: $(STAMP)

# redis-server backs the tests of the shared (multi-process) pacer.
system-deps:
	@command -v redis-server >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install system-deps
	$(BIN)/pytest

bench: install
	$(BIN)/python -m benchmarks

generate: install
	$(BIN)/python -m tools.gen_models
	$(BIN)/python -m tools.gen_resources

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
