# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv demo migrate bench clean

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

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache
