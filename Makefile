# One command runs the service, one runs the tests (see README.md).
PYTHON310 ?= $(shell p="$$(pyenv root 2>/dev/null)/versions/3.10.13/bin/python3.10"; \
	if [ -x "$$p" ]; then echo "$$p"; else command -v python3.10; fi)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run run-cluster test prepare lint format bench clean assets audit

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is needed (Rasa 3.6 supports 3.8-3.10): install python3.10 and python3.10-venv"; exit 1; }
	test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps -r requirements.lock
	touch $@

prepare: $(VENV)/.installed
	$(PY) -m bot.cli prepare

# Options of `python -m bot.cli run`, e.g. make run RUN_ARGS="--port 8080 --rasa-port 5006".
# Ctrl-C, SIGTERM or SIGHUP to make's group stop everything; on SIGTERM make also sends
# the runner one of its own, which the runner only notes (bot/stack.py).
RUN_ARGS ?=
run: $(VENV)/.installed
	$(PY) -m bot.cli run $(RUN_ARGS)

# Two instances of each part behind HAProxy, on PostgreSQL and Redis (docs/cluster.md).
INSTANCES ?= 2
run-cluster: $(VENV)/.installed
	$(PY) -m bot.cli run --instances $(INSTANCES) $(RUN_ARGS)

# Browser packages, pinned in web/package-lock.json: socket.io-client (vendored into
# bot/channels/static/vendor by `make assets`; a test checks the copy is current) and
# axe-core for the accessibility tests.
NODE_DEPS := web/node_modules/.package-lock.json
$(NODE_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

assets: $(NODE_DEPS)
	mkdir -p bot/channels/static/vendor
	cp web/node_modules/socket.io-client/dist/socket.io.min.js bot/channels/static/vendor/

test: prepare $(NODE_DEPS)
	$(PY) -m pytest -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot actions tests bench tools && $(VENV)/bin/ruff format --check bot actions tests bench tools

format: $(VENV)/.installed
	$(VENV)/bin/ruff format bot actions tests bench tools && $(VENV)/bin/ruff check --fix bot actions tests bench tools

# Offline check of requirements.lock against an OSV advisory database (README "Security"):
# ADVISORY_DB is a checkout or bare git dir of github.com/pypa/advisory-database.
# The lock against the advisory snapshot in security/ (a test runs this too), or against
# a full copy of the PyPA advisory database: make audit ADVISORY_DB=<dir or bare .git>.
ADVISORY_DB ?= security/advisories.json
audit: $(VENV)/.installed
	$(PY) tools/audit_lock.py --db "$(ADVISORY_DB)"

bench: prepare
	$(PY) bench/paths.py
	$(PY) bench/turn_latency.py
	$(PY) bench/turn_breakdown.py
	$(PY) bench/cold_start.py
	$(PY) bench/web_chat.py
	$(PY) bench/messenger.py
	$(PY) bench/cluster_scaling.py
	$(PY) bench/cluster_faults.py
	$(PY) bench/training.py

clean:
	rm -rf $(VENV) models build var web/node_modules
