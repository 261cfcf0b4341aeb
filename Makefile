# `make test` is the project's one test command: on a fresh machine it installs everything
# the suite needs (a virtualenv with the package and its extras, and Debian's redis-server),
# then runs ruff, the import-linter contracts, mypy --strict and pytest with warnings as
# errors, builds the API reference with `mkdocs build --strict`, and builds the wheel and
# sdist and runs each from a clean virtualenv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test install system-deps lint typecheck unit docs package bench generate clean

test: install system-deps lint typecheck unit docs package

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,cli,redis,docs]'
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

# Two workers: the real-time pacing tests mostly wait, and the rest share the two cores.
# The "solo" tests time a fleet of processes against the emulator's strict window: they
# run afterwards on a quiet machine, where a busy neighbour cannot stretch their timing.
unit: install system-deps
	$(BIN)/pytest -n 2 -m "not solo"
	$(BIN)/pytest -m solo

# The API reference site, generated from the docstrings into site/. --strict: a broken
# cross-reference, link or docstring section fails the build. Not --quiet: it hides the
# warnings from --strict too, and the build then passes whatever they say.
# (NO_MKDOCS_2_WARNING quiets Material's banner about MkDocs 2.0, which the site does not use.)
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# `python -m build` makes the wheel and sdist a user installs; each, and the clone, goes into
# a fresh virtualenv outside the tree, where `insightly-async --help`, an import and a
# sandbox export must work.
package: install
	$(BIN)/python -m tools.check_package

bench: install
	$(BIN)/python -m benchmarks

generate: install
	$(BIN)/python -m tools.gen_models
	$(BIN)/python -m tools.gen_resources

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache site dist
