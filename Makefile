# Pantau Netral. `make demo` runs the whole pipeline locally; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PANTAU := $(VENV)/bin/pantau
STAMP := $(VENV)/.installed

# The test suite's own stack: other ports and another state directory than the demo's.
TEST_ENV := KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:19092 PANTAU_KAFKA_CONTROLLER_PORT=19093 \
	MONGODB_URI=mongodb://127.0.0.1:37017/pantau_test PANTAU_API_PORT=18080 PANTAU_INGEST_PORT=18081 \
	PANTAU_WEB_PORT_BASE=16060 PANTAU_STATE_DIR=$(CURDIR)/.run/test

.PHONY: setup demo test test-unit bench eval train clean down

setup: $(STAMP) .cache/kafka/.fetched .cache/ferretdb/bin/ferretdb

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

test: setup
	$(TEST_ENV) $(PANTAU) infra up
	$(TEST_ENV) $(VENV)/bin/pytest; status=$$?; $(TEST_ENV) $(PANTAU) down >/dev/null 2>&1; exit $$status

test-unit: setup
	$(VENV)/bin/pytest tests/unit

bench: setup
	$(PY) -m bench

eval: setup
	$(PY) -m services.classify.evaluate

train: setup
	$(PY) -m services.classify.train

clean:
	-$(PANTAU) down
	rm -rf .run
