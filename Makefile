# `make run` and `make test` each do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/assistant.tar.gz
INSTALLED := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
# Front-end packages of the web chat (web/package-lock.json) and, for its browser tests, Debian's chromium.
WEB_DEPS := web/node_modules/.installed
CHROMIUM := /usr/bin/chromium
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') \
                   $(wildcard nlu_components/*.py) demo/pricing.yml $(wildcard renewals/parsing/*.py) renewals/codes.py \
                   renewals/case_references.py renewals/regions.py

# Embedded profile defaults; every one can be overridden from the environment.
export PYTHONPATH := $(CURDIR)
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export ACTION_SERVER_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export TRACKER_DB ?= $(CURDIR)/var/tracker.db
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONWARNINGS ?= ignore::DeprecationWarning
# Rasa 3.6 itself uses SQLAlchemy 1.4 APIs deprecated in 2.0; we pin 1.4.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup train force-train run shell test test-fast bench validate lint format clean

help:
	@echo "make run    set up, train if needed, load demo data, start the assistant"
	@echo "make test   set up, train if needed, run every test (make lint first)"
	@echo "make lint   ruff's lint and format checks, and mypy"
	@echo "make test-fast  the unit tier only (no servers, browser or PostgreSQL)"
	@echo "make shell  chat with the assistant in the terminal"
	@echo "make train  train the model when its data changed"
	@echo "make bench  measure accuracy and speed, write docs/BENCHMARKS.md"

$(INSTALLED): requirements.txt scripts/setup-venv.sh
	scripts/setup-venv.sh
	rm -f $(VENV)/.installed-*
	touch $@

var:
	mkdir -p var

$(WEB_DEPS): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "setup: npm (Node.js 18+) is needed for the web chat's front-end packages" >&2; exit 1; }
	npm ci --prefix web --no-audit --no-fund
	touch $@

$(CHROMIUM):
	scripts/install-chromium.sh

setup: $(INSTALLED) $(WEB_DEPS) | var
	$(PY) -m renewals load-demo

# The model is rebuilt when the content of its inputs changes, not their times: a file edited during a
# training, or checked out with an older time, still retrains on the next make. The stamp names the hash.
INPUTS_HASH := $(shell sha1sum $(sort $(TRAINING_INPUTS)) | sha1sum | cut -c1-12)
MODEL_STAMP := models/.inputs-$(INPUTS_HASH)

$(MODEL_STAMP): $(if $(wildcard $(MODEL)),,force-train) | $(INSTALLED)
	rm -f models/.inputs-*
	$(RASA) train --fixed-model-name assistant --out models --quiet
	touch $@

force-train:

train: $(MODEL_STAMP)

run: setup $(MODEL_STAMP)
	scripts/run.sh

shell: setup $(MODEL_STAMP)
	scripts/shell.sh

validate: $(INSTALLED)
	scripts/validate.sh

# Lint, format and type checks (settings in pyproject.toml); `make format` applies the formatter.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(INSTALLED)
	$(VENV)/bin/ruff format .


test: setup lint $(MODEL_STAMP) $(CHROMIUM)
	scripts/test.sh

# The unit tier: no servers, processes, browser or PostgreSQL (markers set in tests/conftest.py).
test-fast: $(INSTALLED)
	$(PY) -m pytest -q -m "not live and not browser and not postgres" tests

bench: setup $(MODEL_STAMP)
	$(PY) -m scripts.bench

clean:
	rm -rf models results .rasa
