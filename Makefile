# Assistance: the two commands of the README, and the chores behind them.
#   make demo   install, then start the service with demo data (SQLite, local files)
#   make test   install what the tests need, then run them all (SQLite and PostgreSQL)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Tests run on both engines unless told otherwise (ASSISTANCE_TEST_ENGINES=sqlite).
PYTEST_WORKERS ?= 2

.PHONY: demo test install install-test postgres docs translations clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/assistance db upgrade
	$(BIN)/assistance demo load
	@echo "Assistance answers on http://$(HOST):$(PORT)/ (health: /healthz)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

postgres:
	.ci/postgres-up

test: install-test postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS)

docs: install
	$(BIN)/assistance workflow-doc

# After changing a user-visible text: extract, merge into fr/en, translate, compile.
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --width 100 --project Assistance -o fragments/translations/messages.pot .
	$(BIN)/pybabel update -i fragments/translations/messages.pot -d fragments/translations \
	  --width 100 --ignore-obsolete
	$(BIN)/pybabel compile -d fragments/translations

clean:
	rm -rf $(VENV) instance .pytest_cache
