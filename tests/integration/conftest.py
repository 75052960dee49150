"""Fixtures for tests on the real stack: the running pipeline, topic readers, CLI runner."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.kafka import WEB_PORT_OFFSETS
from shared.kafka_client import client_options
from shared.settings import REPO_ROOT

pytestmark = pytest.mark.integration
SAMPLE = REPO_ROOT / "deploy" / "sample"


def run_cli(*args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `pantau` console script with the suite's environment."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "pantau"), *args],
        capture_output=True, text=True, check=check, timeout=timeout, env=os.environ.copy(),
    )


def http_get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_for(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def read_topic_async(settings, topic: str, timeout: float = 60.0) -> list:
    """Every record currently on ``topic`` (all partitions, from the beginning). Raises when the
    end is not reached in ``timeout`` seconds (a partial read made tests miss their own records)."""
    # "earliest": the fetcher may reset a freshly assigned partition before any seek of ours applies;
    # with the default ("latest") that reset put the position at the end, and records were skipped.
    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        deadline, partitions = time.monotonic() + timeout, []
        while not partitions and time.monotonic() < deadline:  # a topic created a moment ago may lag
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
            if not partitions:
                await asyncio.sleep(0.2)
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        for tp, first in (await consumer.beginning_offsets(partitions)).items():
            consumer.seek(tp, first)  # explicit positions, not a pending reset
        records = []
        while True:
            positions = [await consumer.position(tp) for tp in partitions]
            if all(position >= end[tp] for position, tp in zip(positions, partitions)):
                return records
            if time.monotonic() > deadline:
                raise TimeoutError(f"read {len(records)} of {sum(end.values())} records of {topic} in {timeout}s")
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(messages)
    finally:
        await consumer.stop()


def read_topic(settings, topic: str, timeout: float = 60.0) -> list:
    return asyncio.run(read_topic_async(settings, topic, timeout))


def alerts_json(agency: str | None = None) -> list[dict]:
    args = ["alerts", "--json", "--limit", "10000"] + (["--agency", agency] if agency else [])
    return [json.loads(line) for line in run_cli(*args).stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def pipeline(stack, settings):
    """All six service processes running on the test stack, with the sample registry imported.

    Readiness of match is recorded before the import, so a test can check that /readyz refuses
    while no registry is loaded.
    """
    stack.services_up()
    stack.wait_services_ready(("ingest", "classify", "notify", "api"))
    match_port = settings.web_port_base + WEB_PORT_OFFSETS["match"]
    wait_for(lambda: http_get(f"http://127.0.0.1:{match_port}/healthz")[0] == 200, 90, "match to serve /healthz")
    before_import = http_get(f"http://127.0.0.1:{match_port}/readyz")
    run_cli("registry", "import", str(SAMPLE / "registry.csv"))
    stack.wait_services_ready(("match",))
    yield {"stack": stack, "match_readyz_before_import": before_import}
