# orderhub: `make run` and `make test` on a fresh Debian machine (root or sudo).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# the data folder (the development secret key, uploads): the same default as a bare `orderhub serve` /
# `orderhub demo` run from here; the database is ./orderhub.sqlite3 unless DATABASE_URL names another
# (orderhub/settings.py)
export ORDERHUB_DATA_DIR ?= $(CURDIR)/var
# Python writes the compiled form of every module it imports (__pycache__/, ignored by git): each server,
# CLI run and PDF worker the tests start then imports in ~2 s instead of ~4 s, also where the
# environment asks for no bytecode (PYTHONDONTWRITEBYTECODE=1)
unexport PYTHONDONTWRITEBYTECODE
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: WeasyPrint's libraries, a Japanese font, poppler (pdffonts/pdftotext),
# chromium for the browser suite, PostgreSQL for the second engine (node/npm for htmx: see assets).
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core fonts-lato fonts-open-sans
TEST_DEBS := $(RUN_DEBS) chromium fonts-noto-core poppler-utils postgresql redis-server

.PHONY: run test deps test-deps python assets demo serve unit integration integration-pg e2e bench clean lint

run: deps demo serve

deps: python assets
	@missing=""; for p in $(RUN_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

test-deps: python assets
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

python: $(STAMP)
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[test]'
	touch $(STAMP)

# htmx (and axe-core for the browser suite) from the npm registry, served from our static files
assets: orderhub/static/vendor/htmx.min.js
orderhub/static/vendor/htmx.min.js: package.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm install --no-audit --no-fund --silent
	mkdir -p orderhub/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/dist/ext/hx-sse.min.js node_modules/htmx.org/dist/ext/hx-head.min.js orderhub/static/vendor/
	cp node_modules/axe-core/axe.min.js orderhub/static/vendor/axe.min.js
	touch $@

demo: python assets
	mkdir -p var
	$(BIN)/orderhub demo

serve:
	$(BIN)/orderhub serve --host 127.0.0.1 --port 8000

# every test: unit, integration on SQLite and on PostgreSQL, browser; XDIST=-n2 spreads each run over
# two processes (each with its own database and server)
XDIST ?= -n 2
test: test-deps
	$(BIN)/ruff check orderhub tests bench tools
	$(BIN)/mypy orderhub
	$(BIN)/python -m pytest -q $(XDIST) -p no:randomly tests/unit tests/integration --engine=sqlite
	$(BIN)/python -m pytest -q $(XDIST) tests/integration --engine=postgres
	$(BIN)/python -m pytest -q $(XDIST) tests/e2e

unit: python
	$(BIN)/python -m pytest -q tests/unit
integration: python
	$(BIN)/python -m pytest -q tests/integration --engine=sqlite
integration-pg: test-deps
	$(BIN)/python -m pytest -q tests/integration --engine=postgres
e2e: test-deps
	$(BIN)/python -m pytest -q tests/e2e

# the linters alone (both also run first in `make test`): ruff, and mypy (strict on db/ and
# components/, mypy's default checks elsewhere)
lint: python
	$(BIN)/ruff check orderhub tests bench tools
	$(BIN)/mypy orderhub

# the figures of docs/performance.md: both engines, fresh demo and scaled database (wrk drives the load)
bench: test-deps
	@dpkg -s wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends wrk; }
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[test,bench]'
	$(BIN)/python bench/suite.py
	$(BIN)/python bench/servers.py

clean:
	rm -rf $(VENV) node_modules orderhub/static/vendor var orderhub.sqlite3 orderhub.sqlite3-*
