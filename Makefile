# Two commands on a fresh machine: `make demo` (example DAG against the sandbox) and `make test`.
PYTHON ?= python3
VENV := .venv
AIRFLOW_VERSION ?= 3.3.2
BIN := $(VENV)/bin

.PHONY: install demo events-demo test lint typecheck docs bench screenshots sandbox clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-$(AIRFLOW_VERSION): pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]" "apache-airflow==$(AIRFLOW_VERSION)"
	rm -f $(VENV)/.installed-* && touch $@

install: $(VENV)/.installed-$(AIRFLOW_VERSION)

demo: install  ## run the example DAG against the bundled sandbox and print the created group id
	$(BIN)/python scripts/demo.py

events-demo: install  ## webhooks to DAG runs: redis-server, the receiver and Airflow 3's four processes, then stop
	$(BIN)/python scripts/events_demo.py

test: install  ## the full test suite (unit, sandbox, real-Airflow integration)
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

docs: install  ## the docs site into docs/_build/html (Sphinx; every warning, and every broken reference, fails)
	rm -rf docs/_api  # autosummary's stubs: made anew, so a moved module leaves none behind
	$(BIN)/sphinx-build -E -W --keep-going -n -q -b html docs docs/_build/html

bench: install  ## benchmarks against the sandbox; writes docs/benchmarks.md
	$(BIN)/python bench/run_all.py

screenshots: install  ## regenerate docs/img/*.png from the real Airflow UI (needs scripts/install-ui-deps.sh)
	APIFANSLY_SCREENSHOTS=1 $(BIN)/python -m pytest -m ui tests/ui

sandbox: install  ## serve the sandbox on 127.0.0.1:8765 until Ctrl-C
	$(BIN)/python -m airflow_provider_apifansly.sandbox --port 8765

clean:
	rm -rf $(VENV) .airflow-home .pytest_cache .mypy_cache .ruff_cache dist docs/_build
