# Pantau Netral. `make demo` runs the whole pipeline locally; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PANTAU := $(VENV)/bin/pantau
STAMP := $(VENV)/.installed

.PHONY: setup browser-deps demo test test-unit bench soak eval train clean down

setup: $(STAMP) .cache/kafka/.fetched .cache/ferretdb/bin/ferretdb browser-deps

# The browser tests drive Debian's chromium through its own chromedriver; nothing is downloaded at
# run time. Installed only when missing (a no-op otherwise).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing Debian chromium + chromium-driver for the browser tests"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3.11 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

.cache/kafka/.fetched: deploy/kafka/pom.xml
	cd deploy/kafka && mvn -q -B package
	touch $@

.cache/ferretdb/bin/ferretdb: deploy/scripts/build-ferretdb.sh
	deploy/scripts/build-ferretdb.sh

demo: setup
	$(PY) -m pantau.demo

down:
	-$(PANTAU) down

# The suite starts its own stack on its own ports (tests/conftest.py), so a running demo is safe.
test: setup
	$(VENV)/bin/pytest

test-unit: setup
	$(VENV)/bin/pytest tests/unit

bench: setup
	$(PY) -m bench

# Hostile + valid input at volume on its own stack (default 100,000 records over 10 minutes); not part of
# `make test` or `make bench`. SOAK_ARGS="--duration 150 --count 25000" for a short run.
soak: setup
	$(PY) -m bench.soak $(SOAK_ARGS)

# MODEL=VERSION evaluates a version stored by `pantau classify retrain` (MONGODB_URI names the store).
eval: setup
	$(PY) -m services.classify.evaluate $(if $(MODEL),--model $(MODEL))

train: setup
	$(PY) -m services.classify.train

clean:
	-$(PANTAU) down
	rm -rf .run
