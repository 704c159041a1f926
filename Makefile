# mentorprogram — `make run` and `make test` work on a fresh clone (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: install run test bench lint clean backup restore

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(BIN)/.installed node_modules/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

# Two test processes (pytest-xdist) by default; TEST_WORKERS=0 runs the suite in one. A process
# that runs out of tests takes some of the other's (worksteal): the long browser tests no longer
# leave one process working alone at the end.
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# bench/pages.py needs PostgreSQL and Redis on 127.0.0.1 and wrk, installed here when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench: install node_modules/.installed
	command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

# The database to var/backups/mentorprogram-<UTC time>.dump (PostgreSQL) or .sqlite3; see README › Backups.
backup: $(BIN)/.installed
	$(PY) manage.py backup

# make restore FILE=var/backups/mentorprogram-….dump — replaces the database (asks first).
restore: $(BIN)/.installed
	@test -n "$(FILE)" || { echo "Give the backup to restore: make restore FILE=var/backups/…"; exit 2; }
	$(PY) manage.py restore "$(FILE)"

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf var staticfiles .pytest_cache
