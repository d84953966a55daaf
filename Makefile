# Splice: `make run` serves on the embedded default; `make test` runs lint, types and every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PRISM_DIR ?= .cache/prism
PRISM := $(PRISM_DIR)/node_modules/.bin/prism
PRISM_VERSION := 10.4.0

.PHONY: run test lint typecheck unit prism clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/splice db upgrade
	$(BIN)/splice server

$(PRISM):
	mkdir -p $(PRISM_DIR)
	npm install --silent --no-audit --no-fund --prefix $(PRISM_DIR) @prismatic-io/prism@$(PRISM_VERSION)

prism: $(PRISM)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(PRISM) lint typecheck
	SPLICE_PRISM_BIN=$(abspath $(PRISM)) $(BIN)/pytest -n 2 --dist loadfile

clean:
	rm -rf $(VENV) .cache .mypy_cache .ruff_cache .pytest_cache
