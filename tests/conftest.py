"""Test-suite wiring: the suite's own local stack on its own ports and state directory.

The environment is set here, before any settings are read, so `pytest` alone (or `make test`)
never touches a running `make demo`. Integration fixtures start the real Kafka broker and FerretDB
from a clean state once per session and stop them at the end (PANTAU_KEEP_STACK=1 keeps them).
"""
from __future__ import annotations

import os
import shutil

TEST_ENV = {
    "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:19092",
    "PANTAU_KAFKA_CONTROLLER_PORT": "19093",
    "MONGODB_URI": "mongodb://127.0.0.1:37017/pantau_test",
    "PANTAU_API_PORT": "18080",
    "PANTAU_INGEST_PORT": "18081",
    "PANTAU_WEB_PORT_BASE": "16060",
    "PANTAU_INGEST_API_KEYS": "test-ingest-key",
    "PANTAU_PUBLIC_URL": "http://127.0.0.1:18080",
    "PANTAU_KAFKA_SESSION_TIMEOUT_S": "6",
    # Smaller batches than production's 500: a test load then spans many batches (crash tests kill mid-run).
    "PANTAU_BATCH_MAX_RECORDS": "100",
    # A re-screen a chunk at a time (a kill lands mid-way), and a dead claimer's lease runs out quickly.
    "PANTAU_RESCREEN_CHUNK": "1",
    "PANTAU_RESCREEN_LEASE_S": "6",
    # The API process's dispatcher gives up at once instead of retrying for hours (budget: unit tests).
    "PANTAU_NOTIFY_RETRY_HOURS": "0.0001",
    # The retention run only when a test asks for it (a timer run would race the retention test).
    "PANTAU_RETENTION_EVERY_H": "0",
}
for _key, _value in TEST_ENV.items():
    os.environ.setdefault(_key, _value)
os.environ.setdefault("PANTAU_STATE_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), ".run", "test"))

import pytest  # noqa: E402

from pantau.localstack import LocalStack  # noqa: E402
from shared.settings import get_settings  # noqa: E402


@pytest.fixture(scope="session")
def settings():
    return get_settings()


@pytest.fixture(scope="session")
def stack(settings):
    """Real Kafka + FerretDB from a clean state directory."""
    local = LocalStack(settings)
    local.services_down()
    local.infra_down()
    shutil.rmtree(settings.state_dir, ignore_errors=True)
    local.infra_up()
    yield local
    local.services_down()
    if os.environ.get("PANTAU_KEEP_STACK") != "1":
        local.infra_down()
