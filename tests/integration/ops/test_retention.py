"""Retention on the real stack (config/retention.yaml; UU PDP storage limitation).

Posts enter 40 days in the past: ingest's own message, with its received time set back, goes on the
accepted topic, so the real classify, match and notify services store them as they store any post.
Then the real `pantau retention run` acts as a timer would today, and a run with a simulated clock
checks the erasure of a case closed as not proven.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta

import pytest
from aiokafka import AIOKafkaProducer

from pantau.loadgen import NEUTRAL_TEXTS, PARTISAN_TEXTS, REGISTERED_X_HANDLES
from pantau.queries import run_with_store
from services.ingest.domain import accepted_event
from services.notify.domain.cases import apply
from services.notify.store import NotifyStore
from shared import topics
from shared.evidence import find_content
from shared.kafka_client import client_options
from shared.pages import read_rows
from shared.retention import RetentionPolicy
from shared.retention_run import run as run_retention
from shared.schemas import ContentRecord, evidence_hash, utcnow
from shared.stored import ContentKey, MatchResult, StoredClassification, StoredContent
from tests.integration.conftest import run_cli, unique, wait_for

pytestmark = pytest.mark.integration
DAYS_AGO = 40


def _records(tag: str) -> dict[str, ContentRecord]:
    """One post of each class: partisan by a registered person (alerts), partisan by a stranger, neutral."""
    rows = {
        "alerting": (REGISTERED_X_HANDLES[0], PARTISAN_TEXTS[0]),
        "closed": (REGISTERED_X_HANDLES[1], PARTISAN_TEXTS[2]),
        "stranger": (f"anon_{tag}", PARTISAN_TEXTS[1]),
        "neutral": (REGISTERED_X_HANDLES[2], NEUTRAL_TEXTS[0]),
    }
    return {kind: ContentRecord.model_validate({
        "source": "x", "external_id": f"{tag}-{kind}", "kind": "post", "text": text, "author": {"handle": handle},
        "url": f"https://x.com/{handle}/status/1", "published_at": "2024-01-20T10:00:00+07:00"})
        for kind, (handle, text) in rows.items()}


async def _publish_as_ingest(settings, records: dict[str, ContentRecord], received_at) -> None:
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    await producer.start()
    try:
        for record in records.values():
            raw = record.model_dump_json(exclude_defaults=True).encode()
            event = accepted_event(record, ContentKey.of(record.content_id, evidence_hash(raw), received_at), raw)
            await producer.send_and_wait(topics.CONTENT_ACCEPTED.name, event.model_dump_json().encode(),
                                         key=record.content_id.encode())
    finally:
        await producer.stop()


async def _case_of(db, content_id: str) -> dict | None:
    return next(iter(await db["cases"].find({"content_id": content_id}).to_list(None)), None)


def test_posts_are_kept_only_as_long_as_the_policy_says(pipeline, settings):
    tag = unique("ret")
    records = _records(tag)
    ids = {kind: record.content_id for kind, record in records.items()}
    received_at = utcnow() - timedelta(days=DAYS_AGO)
    day = StoredContent.collection_for(received_at)
    asyncio.run(_publish_as_ingest(settings, records, received_at))

    async def classified(db):
        return [row async for row in read_rows(db[StoredClassification.COLLECTION], ids=ids.values(),
                                               time_field=StoredClassification.TIME_FIELD)]
    wait_for(lambda: len(run_with_store(classified)) == len(ids), 120, "the four posts to be classified")
    wait_for(lambda: all(run_with_store(lambda db: _case_of(db, ids[k])) for k in ("alerting", "closed")), 120,
             "the registered people's cases to open")
    case_ids = {k: run_with_store(lambda db, k=k: _case_of(db, ids[k]))["_id"] for k in ("alerting", "closed")}

    # Minimisation at write time: the neutral post's text was never stored, the partisan ones were.
    held = run_with_store(lambda db: find_content(db, ids.values()))
    assert set(held) == {ids["alerting"], ids["closed"], ids["stranger"]}
    assert all(post.collection() == day for post in held.values())
    summary = {doc["_id"]: doc for doc in run_with_store(classified)}[ids["neutral"]]
    assert summary["partisan"] is False and "result" not in summary  # no evidence spans of the author's words

    # A case closed as not proven today (by an analyst's rejection, as on the desk).
    async def reject(db):
        store = NotifyStore(db)
        doc = await _case_of(db, ids["closed"])
        case = store.case_from(doc)
        assert await store.save_case(apply(case, "reject", actor="analis-1", role="analyst", now=utcnow(),
                                           reason="bukan dukungan"), doc["version"])
    run_with_store(reject)

    # The timer's run, today: the 40-day-old day is past rescreen_days (30) and is dropped whole, after
    # the posts behind the two cases were copied out; the stranger's post is gone.
    report = json.loads(run_cli("retention", "run", "--no-kafka").stdout)
    assert report["days_dropped"] >= 1 and report["posts_kept_for_cases"] >= 2
    assert day not in run_with_store(lambda db: db.list_collection_names())
    held = run_with_store(lambda db: find_content(db, ids.values()))
    assert set(held) == {ids["alerting"], ids["closed"]}
    for kind in ("alerting", "closed"):  # the evidence still verifies against the hash the alert carries
        assert hashlib.sha256(held[ids[kind]].raw.encode()).hexdigest() == evidence_hash(
            records[kind].model_dump_json(exclude_defaults=True).encode())
    status = json.loads(run_cli("retention", "status", "--json").stdout)
    assert status["posts_behind_cases"] >= 2 and status["last_run"] is not None

    # A simulated clock, past the not-proven period: that case's personal data is erased, the open case kept.
    policy = RetentionPolicy.model_validate({"cases": {"not_proven_days": 1}})
    later = run_with_store(lambda db: run_retention(db, policy, as_of=utcnow() + timedelta(days=2)))
    assert later["cases_erased"] >= 1
    erased, kept = (run_with_store(lambda db, k=k: db["cases"].find_one({"_id": case_ids[k]})) for k in ("closed", "alerting"))
    assert erased["nip"] is None and erased["erased_at"] and erased["status"] == "closed_not_proven"
    assert kept["nip"] and kept.get("erased_at") is None
    held = run_with_store(lambda db: find_content(db, ids.values()))
    assert set(held) == {ids["alerting"]}  # the erased case's post went with it
    assert run_with_store(lambda db: db["alerts"].find_one({"_id": erased["_id"]})) is None

    async def named(db, kind: str) -> list[str]:  # the people the stored match results of a post name
        return [m["nip"] async for row in read_rows(db[MatchResult.COLLECTION], ids=[ids[kind]],
                                                    time_field=MatchResult.TIME_FIELD) for m in row["matches"]]
    assert run_with_store(lambda db: named(db, "closed")) == []  # the match named the erased case's person
    assert kept["nip"] in run_with_store(lambda db: named(db, "alerting"))
    assert erased["_id"] not in run_cli("alerts", "--limit", "500", "--json").stdout
