# Report It — the README's commands. Everything the project needs is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test test-sqlite test-postgres test-browser test-js typecheck bench lint install browser clean vendor vendor-uplot vendor-idb vendor-leaflet vendor-protomaps-leaflet

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

## The app's checking tools (TypeScript for the type check, fake-indexeddb for the unit tests),
## pinned in package-lock.json, into ./node_modules; again whenever the lock file changes.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

## make run: a working service on SQLite with demo data at http://127.0.0.1:8000, with an
## illustrative basemap built from the demo streets and wards (a council sets REPORTIT_BASEMAP).
BASEMAP_STREETS ?= server/reportit/places/demo/streets.geojson
BASEMAP_AREAS ?= server/reportit/places/demo/wards.geojson
BASEMAP ?= $(DATA)/basemap.pmtiles
run: $(STAMP)
	REPORTIT_DATA_DIR=$(DATA) $(BIN)/reportit migrate
	REPORTIT_DATA_DIR=$(DATA) $(BIN)/reportit demo
	$(BIN)/reportit basemap build --streets $(BASEMAP_STREETS) --areas $(BASEMAP_AREAS) --out $(BASEMAP)
	REPORTIT_DATA_DIR=$(DATA) REPORTIT_BASEMAP=$${REPORTIT_BASEMAP:-$(BASEMAP)} $(BIN)/reportit serve --host $(HOST) --port $(PORT)

## Chromium from Debian's packages, for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## make vendor: browser libraries copied from pinned npm packages, each with its licence beside it.
## The copies are committed (so `pip install .` ships them); run this to update or check them.
UPLOT_VERSION := 1.6.32
CONSOLE_STATIC := server/reportit/console/static
IDB_VERSION := 8.0.4
IDB_DIR := pwa/vendor/idb
vendor: vendor-uplot vendor-idb vendor-leaflet vendor-protomaps-leaflet

vendor-uplot:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent uplot@$(UPLOT_VERSION) >/dev/null && tar xzf uplot-$(UPLOT_VERSION).tgz && cd - >/dev/null && \
	  cp $$tmp/package/dist/uPlot.esm.js $(CONSOLE_STATIC)/uplot.esm.js && \
	  cp $$tmp/package/dist/uPlot.min.css $(CONSOLE_STATIC)/uplot.min.css && \
	  { echo "uPlot $(UPLOT_VERSION) (npm: uplot), https://github.com/leeoniya/uPlot"; echo; cat $$tmp/package/LICENSE; } > $(CONSOLE_STATIC)/uplot.LICENSE.txt && \
	  rm -rf $$tmp && echo "uplot $(UPLOT_VERSION) copied into $(CONSOLE_STATIC)"

## idb: IndexedDB behind promises, for the app and its service worker (index.js is the whole
## library in one file; its .d.ts files are only read by the type check).
vendor-idb:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent idb@$(IDB_VERSION) >/dev/null && tar xzf idb-$(IDB_VERSION).tgz && cd - >/dev/null && \
	  mkdir -p $(IDB_DIR) && cp $$tmp/package/build/index.js $$tmp/package/build/*.d.ts $(IDB_DIR)/ && \
	  { echo "idb $(IDB_VERSION) (npm: idb), https://github.com/jakearchibald/idb"; echo; cat $$tmp/package/LICENSE; } > $(IDB_DIR)/LICENSE.txt && \
	  rm -rf $$tmp && echo "idb $(IDB_VERSION) copied into $(IDB_DIR)"

## Maps (served at /vendor/leaflet/ and /vendor/protomaps-leaflet/ by basemap/libraries.py).
## Leaflet ships an ES module build; protomaps-leaflet's ES module imports eight other packages by
## bare name (no browser resolves those without a bundler), so its self-contained bundle (pmtiles
## inside, Leaflet taken from a global `L`) is copied with an ES module head and tail added: the
## head imports our Leaflet as `L`, the tail exports the bundle's `protomapsL` namespace.
LEAFLET_VERSION := 1.9.4
LEAFLET_DIR := server/reportit/basemap/vendor/leaflet
PROTOMAPS_LEAFLET_VERSION := 5.1.0
PROTOMAPS_LEAFLET_DIR := server/reportit/basemap/vendor/protomaps_leaflet

vendor-leaflet:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null && tar xzf leaflet-$(LEAFLET_VERSION).tgz && cd - >/dev/null && \
	  mkdir -p $(LEAFLET_DIR)/images && cp $$tmp/package/dist/leaflet-src.esm.js $$tmp/package/dist/leaflet.css $(LEAFLET_DIR)/ && \
	  cp $$tmp/package/dist/images/*.png $(LEAFLET_DIR)/images/ && \
	  { echo "Leaflet $(LEAFLET_VERSION) (npm: leaflet), https://github.com/Leaflet/Leaflet"; echo; cat $$tmp/package/LICENSE; } > $(LEAFLET_DIR)/LICENSE.txt && \
	  rm -rf $$tmp && echo "leaflet $(LEAFLET_VERSION) copied into $(LEAFLET_DIR)"

vendor-protomaps-leaflet:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent protomaps-leaflet@$(PROTOMAPS_LEAFLET_VERSION) >/dev/null && tar xzf protomaps-leaflet-$(PROTOMAPS_LEAFLET_VERSION).tgz && cd - >/dev/null && \
	  mkdir -p $(PROTOMAPS_LEAFLET_DIR) && \
	  { echo "// protomaps-leaflet $(PROTOMAPS_LEAFLET_VERSION) (npm), dist/protomaps-leaflet.js made an ES module by make vendor-protomaps-leaflet."; \
	    echo "import * as L from '/vendor/leaflet/leaflet-src.esm.js';"; \
	    sed '/^\/\/# sourceMappingURL=/d' $$tmp/package/dist/protomaps-leaflet.js; echo; \
	    echo "export default protomapsL;"; } > $(PROTOMAPS_LEAFLET_DIR)/protomaps-leaflet.esm.js && \
	  { echo "protomaps-leaflet $(PROTOMAPS_LEAFLET_VERSION) (npm: protomaps-leaflet), https://github.com/protomaps/protomaps-leaflet"; \
	    echo "Its bundle includes pmtiles (https://github.com/protomaps/PMTiles, BSD-3-Clause) and other packages named in its package.json."; echo; \
	    cat $$tmp/package/LICENSE; } > $(PROTOMAPS_LEAFLET_DIR)/LICENSE.txt && \
	  rm -rf $$tmp && echo "protomaps-leaflet $(PROTOMAPS_LEAFLET_VERSION) copied into $(PROTOMAPS_LEAFLET_DIR)"

## PostgreSQL is expected on 127.0.0.1:5432; start the local cluster if it is installed but stopped.
postgres:
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || { \
	  command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }

## make test: the app's type check and JavaScript unit tests first (quick), then the data, API and
## console suites on SQLite and on PostgreSQL, then the browser journeys (once, on SQLite). Browser tests run in their own pytest process: Playwright's sync API
## keeps an event loop running that async tests after it would trip over.
test: typecheck test-js $(STAMP) browser postgres
	$(BIN)/python -m pytest tests -q -p no:cacheprovider -m "not browser"
	REPORTIT_TEST_DATABASE=postgres $(BIN)/python -m pytest tests -q -p no:cacheprovider -m "not browser"
	$(BIN)/python -m pytest tests -q -p no:cacheprovider -m browser

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest tests -q -p no:cacheprovider -m "not browser"

test-browser: $(STAMP) browser
	$(BIN)/python -m pytest tests -q -p no:cacheprovider -m browser

test-postgres: $(STAMP) postgres
	REPORTIT_TEST_DATABASE=postgres $(BIN)/python -m pytest tests -q -p no:cacheprovider -m "not browser"

## The app's JavaScript: `// @ts-check` files checked by tsc (tsconfig.json), and unit tests of the
## logic that needs no page (outbox, draft, photo helpers) on Node with fake-indexeddb.
typecheck: $(NODE_STAMP)
	node_modules/.bin/tsc --noEmit -p tsconfig.json

test-js: $(NODE_STAMP)
	node --test tests/js/*.test.js

bench: $(STAMP) postgres
	$(BIN)/python -m bench

lint: $(STAMP) typecheck
	$(BIN)/ruff check server tests bench

clean:
	rm -rf $(VENV) $(DATA) build *.egg-info server/*.egg-info node_modules
