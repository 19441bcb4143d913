# Two commands do everything: `make run` and `make test`. See README.md.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
export FLASK_APP := wsgi.py

.PHONY: run test install messages lint clean bench serve loadtest

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

coordination/static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p coordination/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# compiled catalogues are build output; the .po files are the source
coordination/translations/%/LC_MESSAGES/messages.mo: coordination/translations/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile -d coordination/translations -l $*

install: $(BIN)/.installed node_modules/.installed coordination/static/vendor/htmx.min.js \
         coordination/translations/sl/LC_MESSAGES/messages.mo coordination/translations/en/LC_MESSAGES/messages.mo

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask reference load
	$(BIN)/flask demo load
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# production mode under gunicorn (deploy/gunicorn.conf.py); needs SECRET_KEY, and DATABASE_URL for PostgreSQL
serve: install
	APP_CONFIG=production $(BIN)/flask db upgrade
	APP_CONFIG=production $(BIN)/flask reference load
	APP_CONFIG=production $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

# unit and page tests in JOBS processes (each with its own database), then the browser tests, which
# share one live server and one Chromium
JOBS ?= 2
test: install lint
	$(BIN)/pytest -n $(JOBS) --ignore=tests/e2e
	$(BIN)/pytest tests/e2e

# after changing texts: extract them and merge into the catalogues, then translate sl
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --no-wrap --sort-output -o coordination/translations/messages.pot .
	$(BIN)/pybabel update -i coordination/translations/messages.pot -d coordination/translations --no-fuzzy-matching --ignore-obsolete --no-wrap

lint: $(BIN)/.installed
	$(BIN)/ruff check coordination tests benchmark config.py wsgi.py
	$(BIN)/bandit -q -r coordination -c pyproject.toml
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) node_modules coordination/static/vendor instance/test-*.db instance/e2e.db

# national-scale data, every main page timed with its query count (SCALE=0.2 for a quick run)
bench: install
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk; } || echo "install wrk for the HTTP figures"
	$(BIN)/python benchmark/run.py --scale $(or $(SCALE),1)

# 50 signed-in users of every role for 60 s against gunicorn over a throwaway PostgreSQL (initdb) with the
# scale-1 data, then the database checked (benchmark/loadtest.py; LOADTEST_DATABASE_URL: a database it may wipe)
loadtest: install
	SCALE=$(or $(SCALE),1) DURATION=$(or $(DURATION),60) USERS=$(or $(USERS),50) WORKERS=$(or $(WORKERS),2) \
		$(BIN)/python benchmark/loadtest.py
