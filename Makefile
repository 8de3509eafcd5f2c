# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv demo migrate bench bench-scale clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Development server on SQLite: migrations, demo territory (loaded once), then serve.
run: venv
	REVITAL_ENV=$${REVITAL_ENV:-development} $(BIN)/revital db upgrade
	REVITAL_ENV=$${REVITAL_ENV:-development} $(BIN)/revital demo
	REVITAL_ENV=$${REVITAL_ENV:-development} $(BIN)/revital serve --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# About 9 minutes: SQLite and PostgreSQL with 5,000 contributions, time to map, 16 writers, the PDFs, the workflow's pages.
bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The same, then 100,000 contributions on SQLite and 1.7 million rows on PostgreSQL (about 13 min in all).
bench-scale: venv
	$(BIN)/python bench/run.py --scale $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
