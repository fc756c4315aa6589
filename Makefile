# Two commands for a newcomer: `make demo` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8080
# The embedded register's port; empty: PORT + 10.
REGISTER_PORT ?=

.PHONY: demo test install lint bench clean system-packages

# Libraries from the system: Pango and HarfBuzz for WeasyPrint (the insight letter as PDF), Poppler's
# tools to look at a PDF. Installed with apt-get when missing (needs root, Debian/Ubuntu).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-packages:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES)

demo: $(STAMP)
	PORT=$(PORT) REGISTER_PORT=$(REGISTER_PORT) $(BIN)/python scripts/demo.py

test: $(STAMP) system-packages
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/python -m pytest; status=$$?; if [ $$status -eq 5 ]; then exit 0; else exit $$status; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

clean:
	rm -rf $(VENV) data .pytest_cache
