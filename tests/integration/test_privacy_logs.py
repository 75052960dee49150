"""Hostile-size input and privacy, end to end (issue 13), on the pipeline the earlier tests drove.

1. A ~234 KB partisan wall (one sentence 3,000 times) at the head of a partition does not hold back
   the 20 partisan posts behind it on the same partition: all alert within 15 s of publication.
2. No log file the stack wrote holds a registry NIP in clear text (every process masks them).
"""
from __future__ import annotations

import asyncio
import csv
import json
import time

import pytest
from aiokafka import AIOKafkaProducer

from pantau.loadgen import PARTISAN_TEXTS, REGISTERED_X_HANDLES
from shared import topics
from shared.kafka_client import client_options
from shared.schemas import content_id_for
from tests.integration.conftest import SAMPLE, read_topic, unique, wait_for

pytestmark = pytest.mark.integration


async def _publish_to_one_partition(settings, records: list[dict]) -> float:
    producer = AIOKafkaProducer(**client_options(settings), acks="all",
                                max_request_size=2_000_000)
    await producer.start()
    try:
        sent_at = time.time()
        pending = [await producer.send(topics.CONTENT_SUBMITTED.name, json.dumps(r).encode(),
                                       key=content_id_for("x", r["external_id"]).encode(), partition=0)
                   for r in records]
        await asyncio.gather(*pending)
        return sent_at
    finally:
        await producer.stop()


def test_a_partisan_wall_does_not_hold_back_the_posts_behind_it(pipeline, settings):
    run = unique("wall")
    wall = {"source": "x", "external_id": f"{run}-wall", "kind": "post", "text": (PARTISAN_TEXTS[0] + " ") * 3000,
            "url": "https://x.com/anon_wall/status/1", "author": {"handle": "anon_wall"}}
    assert len(json.dumps(wall)) > 200_000
    behind = [{"source": "x", "external_id": f"{run}-{i}", "kind": "post", "text": PARTISAN_TEXTS[i % 3],
               "url": f"https://x.com/{REGISTERED_X_HANDLES[0]}/status/{i}",
               "author": {"handle": REGISTERED_X_HANDLES[0]}} for i in range(20)]  # the load mix's alerting author
    wanted = {content_id_for("x", r["external_id"]) for r in behind}
    sent_at = asyncio.run(_publish_to_one_partition(settings, [wall, *behind]))

    def alerted() -> dict | None:
        found = {}
        for message in read_topic(settings, topics.ALERTS.name):
            content_id = json.loads(message.value)["content"]["content_id"]
            if content_id in wanted:
                found[content_id] = message.timestamp / 1000
        return found if set(found) == wanted else None

    alerts = wait_for(alerted, 120, "the 20 posts behind the wall to alert", interval=1)
    slowest = max(alerts.values()) - sent_at
    assert slowest <= 15, f"the last of the 20 alerted {slowest:.1f}s after publication"


def test_no_log_file_holds_a_registry_nip_in_clear(pipeline, settings):
    with (SAMPLE / "registry.csv").open(newline="") as handle:
        nips = {row["nip"] for row in csv.DictReader(handle)}
    logs = sorted((settings.state_dir / "logs").glob("*.log"))
    assert logs, "the stack wrote no logs"
    leaks = {path.name: sorted(nip for nip in nips if nip in path.read_text(errors="replace")) for path in logs}
    assert {name: found for name, found in leaks.items() if found} == {}
