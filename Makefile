# Two commands set everything up on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export YIBAO_DATABASE_URL ?= sqlite:///$(CURDIR)/var/yibao.db

.PHONY: run test check install browser services clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/yibao db upgrade
	$(VENV)/bin/yibao demo load
	$(VENV)/bin/yibao serve --host 127.0.0.1 --port 8000

# Debian's chromium for the page tests (Playwright drives it through executable_path; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# PostgreSQL and Redis run on this machine kind; start them if they are stopped.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
	  --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy api bot flows settlement
	$(VENV)/bin/lint-imports
	$(VENV)/bin/yamllint -s -c .yamllint.yaml content tests/eval tests/knowledge/ranking tests/settlement

test: $(STAMP) browser services check
	$(VENV)/bin/pytest -q -p no:cacheprovider -n 2 --dist loadfile
	YIBAO_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
	  $(VENV)/bin/pytest -q -p no:cacheprovider -n 2 --dist loadfile -m db

clean:
	rm -rf $(VENV) var
