# Sikta: `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format bench bench-audit messages setup clean browser pango xmlsec load

# Runtime and tools share one virtualenv; the stamp re-installs when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Compiled translations (.mo) are build output; polib compiles them without GNU gettext.
messages: $(VENV)/.installed
	$(MANAGE) compile_translations

setup: $(VENV)/.installed messages pango xmlsec
	$(MANAGE) migrate --no-input
	$(MANAGE) load_organisation
	$(MANAGE) load_instruments
	$(MANAGE) seed_demo

# Beside Sikta, the demo's local identity providers (devidp: SAML on :8101, OpenID Connect on
# :8102), so the login page's e-identity button can be tried; a local text-message provider
# speaking 46elks' API (devsms on :8103, its page lists what was sent); and the sender of
# reminders (send_messages). They stop with the server.
DEVSMS := SMS_BACKEND=46elks SMS_API_URL=http://127.0.0.1:8103 SMS_API_USERNAME=u-devsms SMS_API_PASSWORD=devsms-password
run: setup
	@echo "Sikta on http://127.0.0.1:$(PORT)/ (text messages sent: http://127.0.0.1:8103/)"
	@$(PY) -m devidp --sikta http://127.0.0.1:$(PORT) & IDP=$$!; \
	  $(PY) -m devsms --port 8103 & SMS=$$!; \
	  $(DEVSMS) $(MANAGE) send_messages --interval 10 & SENDER=$$!; \
	  trap 'kill $$IDP $$SMS $$SENDER 2>/dev/null' EXIT INT TERM; \
	  $(DEVSMS) $(MANAGE) runserver 127.0.0.1:$(PORT)

# Debian's Chromium for the browser tests; Playwright never downloads a browser of its own.
browser: pango
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null \
	  || echo "Could not install chromium: browser tests will be skipped (CI fails instead)"; \
	fi

# Pango (and a font) for WeasyPrint, which renders the slutdokumentation as PDF.
pango:
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing Debian's Pango for PDF documents"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	fi

# Debian's xmlsec1, with which pysaml2 signs and verifies SAML messages (sign-in through an IdP).
xmlsec:
	@if ! command -v xmlsec1 >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing Debian's xmlsec1 for SAML sign-in"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq xmlsec1 >/dev/null; \
	fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r sikta -x "sikta/*/migrations" -ll
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PY) scripts/audit_pins.py

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.installed messages browser xmlsec lint
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

bench: $(VENV)/.installed messages
	$(PY) scripts/bench.py

# The audit log at 10 million records on PostgreSQL (README: Scaling): about 8 minutes.
bench-audit: $(VENV)/.installed messages
	$(PY) scripts/bench_audit.py

clean:
	rm -rf $(VENV) var staticfiles

# `make load` (README: Load and fault test): production settings on PostgreSQL under locust,
# then a PostgreSQL restart during the load. Locust gets a virtualenv of its own under var/.
LOAD_VENV := var/load/venv
$(LOAD_VENV)/.installed: requirements-load.txt
	test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-load.txt
	touch $@

load: $(VENV)/.installed $(LOAD_VENV)/.installed messages pango xmlsec
	$(PY) scripts/load/run.py
