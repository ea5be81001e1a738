# Yiyang — `make demo` sets everything up and serves http://127.0.0.1:8000 ; `make test` runs the suite
# (in parallel, then the browser tests once).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
VENDOR := yiyang/core/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
ELDERS ?= 2000
PYTEST_ARGS ?=
# The suite runs on this many processes (pytest-xdist; each has its own test database); the browser
# tests (marker ``browser``) then run once, serially, unless BROWSER_TESTS=0.
TEST_WORKERS ?= 2
BROWSER_TESTS ?= 1

.PHONY: demo setup assets migrate seed serve test lint typecheck check bench clean

demo: setup migrate seed serve

setup: $(VENV)/.synced assets

$(VENV)/.synced: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(VENV)/bin/pip install -q uv
	$(UV) pip sync -q --python $(PY) requirements.lock
	$(UV) pip install -q --python $(PY) --no-deps -e .
	@touch $@

assets: $(VENDOR)/.installed

$(VENDOR)/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js \
	   node_modules/axe-core/axe.min.js $(VENDOR)/
	@touch $@

migrate: setup
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

# Builds the demo city once; re-running keeps the data (seed_demo skips what exists).
seed: migrate
	$(PY) manage.py seed_demo --seed 1 --elders $(ELDERS)

# Devices: when no MQTT broker answers at MQTT_URL the embedded one (amqtt) starts on that address; the
# listener then subscribes to whichever answers. The banner lines say which.
serve:
	@echo "颐养 is serving at http://$(HOST):$(PORT)/  (logins: var/demo_accounts.json)"
	@$(PY) manage.py mqtt_broker --if-absent & BROKER=$$!; trap "kill $$BROKER 2>/dev/null" EXIT INT TERM; \
	if $(PY) manage.py listen_devices --probe --wait 60; then \
	  $(PY) manage.py listen_devices & LISTENER=$$!; trap "kill $$LISTENER $$BROKER 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT) --noreload; \
	else $(PY) manage.py runserver $(HOST):$(PORT) --noreload; fi

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)
ifneq ($(BROWSER_TESTS),0)
	$(PY) -m pytest -m browser $(PYTEST_ARGS) || test $$? -eq 5  # 5: PYTEST_ARGS chose no browser test
endif

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy yiyang config

check: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(PY) tools/check_imports.py

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles
