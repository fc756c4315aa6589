# Two commands for a newcomer: `make demo` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080
# The embedded register's port; empty: PORT + 10.
REGISTER_PORT ?=
# Tests run in parallel (pytest-xdist), one worker per core, a module (or class) at a time on one worker, so
# a module-scoped fixture (a served register, a gateway and its processes) is built once, not once per worker.
# `make test WORKERS=0` runs in this process, e.g. to debug. More workers than cores does not pay on a
# 2-core machine (measured on the socket and process tests: -n 4 took 25-45 % more CPU than -n 2, since each
# worker seeds its own session register and starts its own servers, and was not faster).
WORKERS ?= auto
PYTEST = $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope

.PHONY: demo test test-fast test-integration test-e2e install lint bench clean system-packages

# Libraries from the system: Pango and HarfBuzz for WeasyPrint (the insight letter as PDF), Poppler's
# tools to look at a PDF, Chromium for the page tests (Playwright drives it; never a downloaded browser).
# Installed with apt-get when missing (needs root, Debian/Ubuntu).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-packages:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES); }

demo: $(STAMP)
	PORT=$(PORT) REGISTER_PORT=$(REGISTER_PORT) $(BIN)/python scripts/demo.py

# Every tier (pytest's exit code 5, "no tests collected", is not a failure).
test: $(STAMP) system-packages
	$(BIN)/ruff check src tests bench scripts
	$(PYTEST); status=$$?; if [ $$status -eq 5 ]; then exit 0; else exit $$status; fi

# One tier each: unit (pure code, under a minute), integration (databases, in-process apps), e2e (sockets, processes).
test-fast: $(STAMP)
	$(PYTEST) -m unit

test-integration: $(STAMP) system-packages
	$(PYTEST) -m integration

test-e2e: $(STAMP) system-packages
	$(PYTEST) -m e2e

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

clean:
	rm -rf $(VENV) data .pytest_cache
