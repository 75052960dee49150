"""The batched runner on the real stack: insert-only duplicate checks, chunked updates, a store outage.

The runner's own rules (poison isolation, retries, dead letters) are specified in
tests/unit/test_stage.py; these tests show the store and the broker behave as the runner assumes.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import UpdateOne

from pantau.loadgen import mixed_posts
from shared import topics
from shared.kafka_client import client_options
from shared.mongo import UPDATE_CHUNK, bulk_write_chunked, connect, insert_new
from shared.schemas import content_id_for
from tests.integration.conftest import read_topic, run_cli, unique, wait_for

pytestmark = pytest.mark.integration


async def _with_db(settings, action):
    client, db = connect(settings)
    try:
        return await action(db)
    finally:
        await client.close()


def test_insert_new_reports_exactly_the_ids_already_there(stack, settings):
    name = unique("scratch_insert")

    async def scenario(db):
        first = await insert_new(db[name], [{"_id": f"d{i}", "n": i} for i in range(0, 300)])
        again = await insert_new(db[name], [{"_id": f"d{i}", "n": -i} for i in range(250, 400)])
        kept = await db[name].find_one({"_id": "d260"})
        count = await db[name].count_documents({})
        await db[name].drop()
        return first, again, kept, count

    first, again, kept, count = asyncio.run(_with_db(settings, scenario))
    assert first == set()
    assert again == {f"d{i}" for i in range(250, 300)}
    assert kept["n"] == 260, "an insert never overwrites what is there"
    assert count == 400


def test_update_batches_go_in_small_commands_and_the_store_keeps_answering(stack, settings):
    name = unique("scratch_update")

    async def scenario(db):
        await insert_new(db[name], [{"_id": i, "n": 0} for i in range(200)])
        operations = [UpdateOne({"_id": i}, {"$set": {"n": 1}}) for i in range(200)]
        with pytest.raises(ValueError):
            await bulk_write_chunked(db[name], operations, chunk=100)  # refused before anything is sent
        await asyncio.wait_for(bulk_write_chunked(db[name], operations), timeout=120)
        updated = await db[name].count_documents({"n": 1})
        await db.command("ping")
        await db[name].drop()
        return updated

    assert UPDATE_CHUNK <= 25
    assert asyncio.run(_with_db(settings, scenario)) == 200


async def _committed_and_end(settings, group: str, topic: str) -> tuple[int, int]:
    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(**client_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    committed = sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0)
    return committed, sum(end.values())


def test_store_outage_mid_stream_holds_the_offsets_then_every_record_alerts_once(pipeline, settings, tmp_path):
    stack = pipeline["stack"]
    records, must_alert = mixed_posts(unique("outage"), 400)
    ids = {content_id_for("x", r["external_id"]) for r in records}
    path = tmp_path / "load.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    stack.ferretdb.stop()
    try:
        run_cli("submit", str(path))
        time.sleep(8)  # the stages retry their batch meanwhile
        committed, end = asyncio.run(_committed_and_end(settings, "pantau-ingest", topics.CONTENT_SUBMITTED.name))
        assert committed <= end - len(records), "ingest committed offsets of records it could not store"
    finally:
        stack.start_ferretdb()

    def published() -> Counter | None:
        found = Counter(json.loads(m.value)["content"]["content_id"] for m in read_topic(settings, topics.ALERTS.name)
                        if json.loads(m.value)["content"]["content_id"] in ids)
        return found if set(found) >= must_alert else None

    alerts = wait_for(published, 240, "every must-alert record of the outage load on pantau.alerts.v1", interval=3)
    assert set(alerts) == must_alert
    assert [c for c, n in alerts.items() if n > 1] == []
    letters = [json.loads(m.value) for m in read_topic(settings, topics.CONTENT_SUBMITTED.dead_letter)]
    assert not [letter for letter in letters if letter.get("key") in ids], "a valid record was dead-lettered"
