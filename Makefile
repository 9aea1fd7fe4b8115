# The two commands that matter on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup demo test lint bench-extraction schemas

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/newsflow demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy workers schemas bench

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

bench-extraction: setup
	$(BIN)/python -m bench.extraction.run

schemas: setup
	$(BIN)/newsflow schemas export schemas/json
