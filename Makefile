# The two commands: `make maps` renders the default dataset into out/, `make test` runs
# every test and the linters. Both set up everything they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
ESLINT := node_modules/.bin/eslint

.PHONY: maps test lint format setup browser boundaries gazetteer clean

maps: $(READY)
	$(BIN)/mapgen build --out out

test: $(READY) browser $(ESLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(ESLINT) mapgen/render/templates/slider
	$(BIN)/pytest

setup: $(READY)

# Debian packages for the tests: Chromium (HTML map, report, PDF), PyQGIS, Node.js and npm.
browser:
	sh tools/ensure_test_packages.sh

# ESLint for the slider's JavaScript, from the npm registry at the versions in package-lock.json.
$(ESLINT): package.json package-lock.json
	sh tools/ensure_test_packages.sh
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(READY): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test,world]'
	touch $@

lint: $(READY) $(ESLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(ESLINT) mapgen/render/templates/slider

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
	rm -rf out .pytest_cache .ruff_cache node_modules
