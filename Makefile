# The two commands: `make maps` renders the default dataset into out/, `make test` runs
# every test and the linters. Both set up everything they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: maps test lint format setup browser boundaries gazetteer clean

maps: $(READY)
	$(BIN)/mapgen build --out out

test: $(READY) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

setup: $(READY)

# Debian packages for the tests: Chromium (HTML map, report, PDF) and PyQGIS.
browser:
	sh tools/ensure_test_packages.sh

$(READY): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,world]'
	touch $@

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(READY)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Build-time data tools (need PyPI; users never run them).
boundaries: $(READY)
	$(BIN)/python -m pip install -q -r tools/requirements-boundaries.txt
	$(BIN)/python tools/build_boundaries.py

gazetteer: $(READY)
	$(BIN)/python tools/build_gazetteer.py

clean:
	rm -rf out .pytest_cache .ruff_cache
