# Border Control Atlas — `make run` serves the app, `make test` runs every test.
# Each set-up step is a file target, so re-running skips what is already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Test processes: one per core by default; TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= auto
export HOST PORT

.PHONY: run serve test lint bench setup db clean help translations docs-pictures
.DEFAULT_GOAL := help

help:
	@echo "make run    set up, migrate and seed the SQLite database, serve on http://$(HOST):$(PORT)"
	@echo "make serve  the same set-up, then gunicorn (production server) on $(HOST):$(PORT)"
	@echo "make test   set up, lint (ruff, mypy), then run the JavaScript and Python tests"
	@echo "make lint   ruff check, ruff format --check and mypy (app/core, app/ogc)"
	@echo "make translations  extract the interface's messages and update each language's catalogue"
	@echo "make bench  every benchmark under bench/ (over 11 minutes), then a summary"
	@echo "make docs-pictures  redraw the README's static map and timeline (docs/) from the seed data"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/vendor/.built: node_modules/.package-lock.json scripts/vendor_assets.py scripts/leaflet/*.js
	$(PYTHON) scripts/vendor_assets.py
	@touch $@

# The own scripts and style sheets minified beside their sources (x.min.js, x.min.css).
OWN_ASSETS := $(filter-out %.min.js %.min.css,$(wildcard static/js/*.js static/css/*.css))
static/.minified: node_modules/.package-lock.json scripts/minify_assets.py $(OWN_ASSETS)
	$(PYTHON) scripts/minify_assets.py
	@touch $@

# Each language's catalogue (app/translations/*/LC_MESSAGES/messages.po) compiled to .mo.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
app/translations/.compiled: $(CATALOGUES) | $(VENV)/.installed
	$(BIN)/pybabel compile -d app/translations
	@touch $@

setup: $(VENV)/.installed static/vendor/.built static/.minified app/translations/.compiled

# For translators: collect every marked message into the template (.pot) and merge it into
# each catalogue; new messages arrive untranslated, and the tests say which.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k Counted:1,2 --sort-by-file --no-wrap \
	  --project "Border Control Atlas" -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --ignore-obsolete -i app/translations/messages.pot -d app/translations

db: setup
	$(FLASK) db upgrade
	$(FLASK) seed

run: db
	@echo "Border Control Atlas on http://$(HOST):$(PORT)/"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: db
	@echo "Border Control Atlas (gunicorn) on http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

test: setup lint
	node --test tests/js/
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run_all.py

# The README's pictures for publication, drawn by `flask render` from the seed data in a
# throwaway SQLite database; the timeline ends on a fixed day so it does not grow daily.
docs-pictures: setup
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	export DATABASE_URL="sqlite:///$$tmp/atlas.sqlite" PUBLIC_URL=https://atlas.example.org && \
	$(FLASK) db upgrade && $(FLASK) seed && \
	$(FLASK) render map --date 2024-12-15 --out docs/static-map-2024-12-15.png && \
	$(FLASK) render timeline --to 2026-01-01 --out docs/timeline.png

clean:
	rm -rf $(VENV) node_modules static/vendor static/.minified static/js/*.min.js* static/css/*.min.css*
