# Circulate — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
export CIRCULATE_HOST := $(HOST)
export CIRCULATE_PORT := $(PORT)

.PHONY: browser branch-test run test lint check-config backup restore format migrate superuser seed install install-dev lock bench conformance clean help

help:
	@echo "make run        install, migrate, load demo data, start web + worker + beat"
	@echo "make test       install test dependencies and run the whole suite"
	@echo "make lint       ruff (lint + format check) and mypy"
	@echo "make branch-test the partner branch service's suite (BRANCH_TEST_DATABASE_URL=mysql://... for MariaDB)"
	@echo "make check-config  validate the CI pipelines, compose.yaml (JSON schemas) and the Dockerfile (hadolint)"
	@echo "make migrate    apply database migrations"
	@echo "make superuser  create an admin account interactively"
	@echo "make bench      run the benchmarks under bench/"
	@echo "make conformance  schemathesis against a live server, as each demo role and anonymous"
	@echo "make backup     back up the configured database and the media files into BACKUP_DIR"
	@echo "make restore FILE=...  replace the database and the media files with a backup's"
	@echo "make lock       refresh $(CONSTRAINTS) from the current environment"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml services/branch/pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e . -e services/branch
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]' -e 'services/branch[test]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

superuser: install
	$(BIN)/python manage.py createsuperuser

run: seed
	@echo ""
	@echo "  Circulate is starting on http://$(HOST):$(PORT)/"
	@echo "    console      http://$(HOST):$(PORT)/"
	@echo "    API docs     http://$(HOST):$(PORT)/api/docs/  (Redoc: /api/redoc/)"
	@echo "    admin        http://$(HOST):$(PORT)/admin/     (admin@circulate.local / circulate-demo)"
	@echo "    readiness    http://$(HOST):$(PORT)/health/ready/"
	@echo "    branch       http://127.0.0.1:$${BRANCH_PORT:-5013}/docs/  (the partner branch service, Riverside branch)"
	@echo "  Ctrl-C stops the web server, the Celery worker and beat."
	@echo ""
	PATH="$(abspath $(BIN)):$$PATH" DEBUG_TOOLBAR=$${DEBUG_TOOLBAR:-true} $(BIN)/honcho start -f Procfile

# The browser tests drive Debian's Chromium; install it when we can (root with apt), else they are skipped.
browser:
	@command -v chromium >/dev/null || [ -n "$$CHROMIUM_PATH" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "Chromium not installed: the browser tests will be skipped (apt-get install chromium)"; }

# The suite runs in PYTEST_WORKERS processes (pytest-xdist), each on a test database and Redis key prefix
# of its own; PYTEST_WORKERS=0 runs it in this one process (for --pdb, or to read one test's output in order).
PYTEST_WORKERS ?= 2
test: install-dev browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The partner branch service (services/branch) has its own package and suite.
branch-test: install-dev
	cd services/branch && ../../$(BIN)/python -m pytest $(BRANCH_PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The hosted pipelines, compose.yaml and the Dockerfile, checked here before a push finds them broken.
check-config: install-dev
	$(BIN)/check-jsonschema --builtin-schema vendor.gitlab-ci .gitlab-ci.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec compose.yaml
	$(BIN)/hadolint Dockerfile

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: install-dev
	$(BIN)/pip freeze --exclude-editable | grep -v '^circulate' > $(CONSTRAINTS)

backup: install
	$(BIN)/python manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/circulate-<time>.tar.gz"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)"

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

conformance: install-dev
	$(BIN)/python -m conformance $(CONFORMANCE_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
