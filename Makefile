# Houtai: `make run` (demo store on SQLite, no services) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_ENV := DEBUG=true

.PHONY: run test lint install browser messages bench

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

messages: $(STAMP)
	$(DEV_ENV) $(PY) manage.py compilemessages -v 0 --ignore=.venv

# Debian's chromium and a CJK font for the browser tests (playwright cannot download browsers here).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "cjk\|wenquanyi"; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi

run: $(STAMP) messages
	$(DEV_ENV) $(PY) manage.py migrate -v 0
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py run_jobs --loop > var-jobs.log 2>&1 & \
	trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Lint (ruff), format check and types (mypy with django-stubs): CI runs this before the tests.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/mypy

test: $(STAMP) messages browser
	$(PY) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

# One benchmark command (issue 16): generate the store if needed, run every workload and django-oscar beside it.
# BENCH_DB must be a PostgreSQL database on this machine; BENCH_ARGS e.g. "--size tiny" or "--only orders_list".
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/houtai_bench
bench: $(STAMP)
	DATABASE_URL=$(BENCH_DB) $(PY) -m bench $(BENCH_ARGS)
