# Assistance: the two commands of the README, and the chores behind them.
#   make demo   install, then start the service with demo data and its own CAS server
#   make test   install what the tests need, then run them all (SQLite and PostgreSQL)
#   make bench  generate a university's tickets in PostgreSQL, measure, write bench/REPORT.md

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CAS_PORT ?= 8001
PYTEST_WORKERS ?= 2
CHROMIUM := /usr/bin/chromium

.PHONY: demo test bench install install-demo install-test install-bench system-test-deps postgres docs translations clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-demo: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[demo]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,demo]'
	touch $(VENV)/.installed $(VENV)/.installed-demo $@

$(VENV)/.installed-bench: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-demo: $(VENV)/.installed-demo
install-test: $(VENV)/.installed-test
install-bench: $(VENV)/.installed-bench

# The service on http://$(HOST):$(PORT)/ with demo data, signing in through a demo CAS
# server on port $(CAS_PORT) (accounts: etudiant, gestionnaire… password « demo »).
demo: install-demo
	$(BIN)/assistance db upgrade
	$(BIN)/assistance demo load
	@echo "Assistance: http://$(HOST):$(PORT)/  (sign in as etudiant or gestionnaire, password demo)"
	$(BIN)/python -m portlet.democas --port $(CAS_PORT) --data-dir instance/democas \
	  --service-pattern '^http://$(subst .,\.,$(HOST)):$(PORT)/.*$$' & cas=$$!; \
	trap 'kill $$cas 2>/dev/null' EXIT INT TERM; \
	ASSISTANCE_PUBLIC_URL=http://$(HOST):$(PORT) ASSISTANCE_CAS_SERVER_URL=http://$(HOST):$(CAS_PORT)/cas/ \
	  ASSISTANCE_MAIL_FILE_DIR=$(CURDIR)/instance/mail \
	  $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool).
system-test-deps:
	@test -x $(CHROMIUM) || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

postgres:
	.ci/postgres-up

test: install-test system-test-deps postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# Benchmarks (not part of `make test`): SCALE=small runs 10 000 tickets only (minutes);
# SCALE=full also runs 1 000 000 tickets, for the p95 ratio between the two scales.
# The peer, django-helpdesk, lives in its own virtualenv (Django never enters ours) and
# is loaded with each scale's tickets (bench/peer/load.py: about 1 minute at 1 000 000).
SCALE ?= full
BENCH_MAILS ?= 10000
PEER_VENV := bench/.peer-venv
bench: install-bench postgres
	@command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	@[ $(PEER_VENV)/.installed -nt bench/peer/requirements.txt ] || { \
	  $(PYTHON) -m venv $(PEER_VENV) && \
	  $(PEER_VENV)/bin/pip install --quiet -r bench/peer/requirements.txt && \
	  touch $(PEER_VENV)/.installed; }
	rm -f bench/data/results-*.json bench/data/peer-*.json
	$(BIN)/python -m bench.generate --tickets 10000 --database assistance_bench_small
	$(PEER_VENV)/bin/python -m bench.peer.load --source assistance_bench_small
	$(BIN)/python -m bench.run --database assistance_bench_small --label small \
	  --mails $(BENCH_MAILS) --peer
ifeq ($(SCALE),full)
	$(BIN)/python -m bench.generate --tickets 1000000 --database assistance_bench
	$(PEER_VENV)/bin/python -m bench.peer.load --source assistance_bench
	$(BIN)/python -m bench.run --database assistance_bench --label full --mails $(BENCH_MAILS) --peer
endif
	$(BIN)/python -m bench.report

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
