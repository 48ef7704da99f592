# The two commands of the README, and the steps they need. Nothing else.
#   make run    build what is missing, then serve the app on the default catalogue
#   make check  the fast layer of the tests (no PostgreSQL, browser, subprocess or slow test): <= 3 min
#   make test   build what is missing, then run the whole test suite (CI runs this)
#   make screenshots  every page (each role, both languages) and document as PNG, to look at (not in make test)

PYTHON    ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
# A GeoPackage path (built when missing) or a postgresql:// URL (never rebuilt by make run).
CATALOGUE ?= $(or $(GEO_CATALOGUE),data/catalogue.gpkg)
PORT      ?= 8501
# pytest-xdist workers (one per core), fed the longest work first (tests/conftest.py orders it); the tests of a
# file that shares a module fixture (a server) stay together on one worker, the others are spread one by one.
JOBS      ?= auto
XDIST     := -n $(JOBS) --dist loadgroup --no-loadscope-reorder
FAST      := not (postgis or browser or process or slow)
# Python caches compiled modules (__pycache__, git-ignored); an environment that turns this off
# (PYTHONDONTWRITEBYTECODE) makes every process the tests start (servers, CLI runs, writers) compile the
# project's modules again, and each pytest worker rewrite every test module: not here.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run check test install assets locale catalogue browser postgres bench mutation screenshots

# The venv is rebuilt when the dependencies change.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e . --group dev
	touch $@

install: $(VENV)/.installed

# Leaflet and plugins from the npm registry, checked against pinned hashes,
# served by Streamlit so the map renders without a CDN.
static/vendor/.complete: geo/web/assets.py | install
	$(BIN)/python -m geo.web.assets
	touch $@

assets: static/vendor/.complete

# Compiled message catalogues (.mo) from the translations kept in geo/locale/*/LC_MESSAGES/*.po.
locale: | install
	$(BIN)/python -m geo.i18n.catalogs compile

ifeq ($(findstring postgres,$(CATALOGUE)),)
$(CATALOGUE): | install
	$(BIN)/geo --catalogue $(CATALOGUE) build

catalogue: $(CATALOGUE)
else
catalogue: ;  # a PostGIS catalogue is built once by hand (README, "For a team"), never by make run
endif

# Debian's Chromium (the benchmarks' browser) and its headless shell (the end-to-end tests': same version, less
# CPU per page); Playwright drives them, no browser download.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromium-headless-shell >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	  chromium-headless-shell fonts-dejavu-core >/dev/null; }

# Debian's PostgreSQL + PostGIS for the PostGIS-backend tests (a throwaway cluster per test run, tests/pg.py).
postgres:
	@test -x /usr/lib/postgresql/15/bin/initdb -a -f /usr/share/postgresql/15/extension/postgis.control || \
	  { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3 >/dev/null; }

run: install assets locale catalogue
	export GEO_CATALOGUE=$(CATALOGUE) GEO_AUTH_MODE=$${GEO_AUTH_MODE:-local} GEO_LOCAL_ROLE=$${GEO_LOCAL_ROLE:-staff}; \
	  $(BIN)/geo settings && \
	  $(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

# The layers (postgis, browser, process, slow) are markers tests/conftest.py applies.
check: install assets locale
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(XDIST) -m "$(FAST)"

test: install assets locale browser postgres
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(XDIST)

bench: install assets browser
	$(BIN)/python benchmarks/bench_search.py
	$(BIN)/python benchmarks/bench_map.py
	$(BIN)/python benchmarks/bench_brownfield.py --size 4096

# Mutation testing of the modules that decide (not part of make test: it takes a while).
mutation: install assets locale
	$(BIN)/python -m tests.mutation.run

# Every page (each role, Italian and English) and every document (sheet PDF and HTML, dossier PDF) as PNG
# under build/screenshots/, with contact.png and index.txt: look at them before calling a change done.
screenshots: install assets locale browser
	$(BIN)/python tools/screenshots.py
