# Two entry points for a fresh Debian machine (Python 3.11+; no Node: the map assets are
# committed in geo_app/static/vendor):
#   make run    set up and launch the app on the bundled sample layers
#   make test   set up everything (Python packages, Chromium, PostgreSQL/PostGIS) and run all tests
# and, for an intranet server with no network:
#   make bundle dist/bundle/ + dist/geo_app-<version>-bundle.tar.gz (wheel, wheelhouse, install.sh)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
STAMP  := $(VENV)/.installed

.PHONY: run test venv assets system lint bench layers bundle clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Upgrade the vendored Leaflet/jQuery after changing their pins (needs npm; commit the result).
assets: $(STAMP)
	$(PY) scripts/fetch_assets.py

run: $(STAMP)
	$(VENV)/bin/geo-app serve --port $(PORT)

system:
	bash scripts/ci/setup_system.sh

test: system $(STAMP)
	$(VENV)/bin/ruff check geo_app tests scripts benchmarks app.py
	GEO_APP_REQUIRE_POSTGIS=1 GEO_APP_REQUIRE_BROWSER=1 $(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/area_pipeline.py 10000
	$(PY) benchmarks/coverage_overlap.py 10000

layers: $(STAMP)
	$(PY) scripts/generate_layers.py

bundle: $(STAMP)
	$(PY) scripts/make_bundle.py

clean:
	rm -rf $(VENV) test-artifacts dist/bundle
