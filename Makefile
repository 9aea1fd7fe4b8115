# The two commands that matter on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup chromium monitoring-tools java demo test lint bench-extraction schemas

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/.installed chromium monitoring-tools java

# Headless Chromium for the status-page browser test (driven by Playwright from PyPI, never
# `playwright install`): Debian's package, installed only when missing and apt-get is there.
chromium:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "installing Debian's chromium for the browser test"; \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; } \
			|| echo "warning: chromium not installed: tests/integration/stream/test_status_page.py will fail"; \
	fi

# A real Prometheus and Alertmanager for tests/integration/monitoring (promtool comes with prometheus,
# amtool with prometheus-alertmanager): Debian's packages, installed only when missing and apt-get is
# there. The tests start their own servers on free loopback ports, whether or not the packages' services run.
monitoring-tools:
	@if { [ ! -x /usr/bin/prometheus ] || [ ! -x /usr/bin/prometheus-alertmanager ]; } && command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "installing Debian's prometheus and prometheus-alertmanager for the monitoring tests"; \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null; } \
			|| echo "warning: prometheus/prometheus-alertmanager not installed: tests/integration/monitoring will fail"; \
	fi

# Java 17 and Maven for the embedded Kafka (real broker of the tests and the demo): installed with
# apt-get when missing (Debian/Ubuntu), otherwise one line saying what to install.
java:
	@sh scripts/install-java.sh

demo: $(BIN)/.installed java
	$(BIN)/newsflow demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy workers schemas bench

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

# Real pages (../shared/realworld) against every baseline, then the hand-written fixture sets.
bench-extraction: setup
	$(BIN)/python -m bench.realworld.run --split dev --repeat 2
	$(BIN)/python -m bench.extraction.run

schemas: setup
	$(BIN)/newsflow schemas export schemas/json
