VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
SEED := fixtures/azerbaijan-russia-2025.json fixtures/azerbaijan-russia-2025-assessments.json \
	fixtures/azerbaijan-russia-2025-en.json

.PHONY: install install-dev run serve-cached test lint format messages assets

# What production runs (make run needs nothing more).
$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Tests and lint tools on top.
$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

# Serves on 127.0.0.1:8000, with scheduled publishing checked every minute beside it.
run: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input
	DJANGO_DEBUG=1 $(MANAGE) import_fixture $(SEED) --system
	DJANGO_DEBUG=1 $(MANAGE) publish_scheduled --every 60 & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# The same, with readers served through Varnish (deploy/varnish/default.vcl) on port 8000.
serve-cached: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input
	DJANGO_DEBUG=1 $(MANAGE) import_fixture $(SEED) --system
	bash deploy/serve-cached.sh

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install-dev
	DJANGO_DEBUG=1 $(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=bench --ignore=docs --no-obsolete
	DJANGO_DEBUG=1 $(MANAGE) compilemessages -l zh_Hans --ignore=.venv

# Refresh the served front-end files (Leaflet, the country outlines) from the versions pinned in
# assets/package-lock.json; the results are committed, so make run needs no Node.
assets:
	cd assets && npm ci --no-audit --no-fund && node build.mjs
