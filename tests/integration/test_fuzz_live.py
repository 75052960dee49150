"""Fuzzing the running pipeline (issue 13): Hypothesis-generated hostile input at both doors.

1. HTTP: ``POST /v1/content`` on the running ingest service never answers 5xx; every answer is 202
   (accepted, with content ids) or 4xx naming the reason (and the field where there is one), and
   every accepted record reaches classification.
2. The ingest topic: every value produced (bytes, tombstones, JSON of any shape, hostile and valid
   records) is either carried through (stored in ``content`` and classified) or dead-lettered by
   ingest with a reason, correlated by its partition and offset: none half-accepted, none lost.
   Afterwards a known-good partisan post on every partition still alerts within 30 s (no stage
   stalled).

Generation is Hypothesis (derandomized, bounded); outcomes are checked on the real stack. The topic
door is checked in bulk after generation (waiting per example would cost the pipeline's latency
hundreds of times), so a failure lists the offending values instead of a shrunk example.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaProducer
from hypothesis import HealthCheck, assume, given, settings as hsettings, strategies as st

from shared import topics
from shared.kafka_client import client_options
from shared.mongo import connect
from shared.pages import read_rows
from shared.schemas import alert_id_for, content_id_for
from shared.stored import StoredClassification
from tests.hostile import CONTENT_TYPES, Renderer, Valid, expected_content_id, http_bodies, topic_keys, topic_values
from tests.integration.conftest import read_topic, unique, wait_for

pytestmark = pytest.mark.integration

KEY = "test-ingest-key"
BAMBANG = ("bambang_ht", "197905212005011003")  # a registry person (deploy/sample/registry.csv) and NIP
KAFKA_VALUE_LIMIT = 1_000_000  # the broker's message.max.bytes is 1 MiB; bigger values never reach a stage


def live(examples: int) -> hsettings:
    """Derandomized (the same values every run: CI stays stable), no example database, bounded."""
    return hsettings(max_examples=examples, derandomize=True, database=None, deadline=None, print_blob=False,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.filter_too_much])


async def _found(settings, collection: str, ids: list[str]) -> set[str]:
    client, db = connect(settings)
    try:
        if collection == StoredClassification.COLLECTION:  # a batch's summaries are one page
            return {row["_id"] async for row in read_rows(db[collection], ids=ids, time_field=StoredClassification.TIME_FIELD)}
        return {doc["_id"] async for doc in db[collection].find({"_id": {"$in": ids}}, {"_id": 1})}
    finally:
        await client.close()


def found(settings, collection: str, ids) -> set[str]:
    ids = sorted(set(ids))
    return asyncio.run(_found(settings, collection, ids)) if ids else set()


def post(settings, body: bytes, content_type: str | None) -> tuple[int, dict | None, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", settings.ingest_port, timeout=30)
    headers = {"X-API-Key": KEY, "Content-Length": str(len(body))}
    if content_type is not None:
        headers["Content-Type"] = content_type
    try:
        connection.request("POST", "/v1/content", body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    return response.status, answer, raw


def assert_names_a_reason(status: int, answer: dict | None, raw: bytes) -> None:
    assert isinstance(answer, dict) and isinstance(answer.get("error"), dict), f"{status} without an error body: {raw[:300]!r}"
    error = answer["error"]
    assert error.get("code") and error.get("message"), f"{status} names no reason: {error}"
    if status == 415:
        assert error["field"] == "Content-Type"
    if error["code"] == "invalid_record":
        assert error["details"], error
        for detail in error["details"]:
            assert detail["reason"], f"a refused record without a reason: {detail}"
            # A record is named by field, unless it is not JSON at all (then nothing has a name).
            assert detail["fields"] or "JSON" in detail["reason"], detail


def test_http_door_answers_accepted_or_a_named_refusal_never_5xx(pipeline, settings):
    renderer = Renderer(unique("fuzzhttp"))
    outcomes: Counter = Counter()
    accepted: list[str] = []
    must_accept: list[bytes] = []

    @live(250)
    @given(body=http_bodies, ascii_only=st.booleans(), content_type=CONTENT_TYPES)
    def one_request(body, ascii_only, content_type):
        raw = renderer.render(body, ascii_only)
        status, answer, text = post(settings, raw, content_type)
        outcomes["sent"] += 1
        assert status < 500, f"{status} for {content_type!r} {raw[:300]!r}: {text[:500]!r}"
        if status == 202:
            ids = [a["content_id"] for a in answer["accepted"]]
            assert ids and len(ids) == len(set(ids))
            accepted.extend(ids)
            outcomes["accepted"] += 1
            return
        assert 400 <= status < 500, f"{status} for {raw[:300]!r}"
        assert_names_a_reason(status, answer, text)
        outcomes[f"rejected_{status}"] += 1
        json_type = (content_type or "").split(";")[0].strip().lower() == "application/json"
        valid = isinstance(body, Valid) or (isinstance(body, list) and body and all(isinstance(b, Valid) for b in body))
        if valid and json_type and ascii_only:
            must_accept.append(raw)

    one_request()
    rejected = sum(n for k, n in outcomes.items() if k.startswith("rejected_"))
    assert outcomes["accepted"] + rejected == outcomes["sent"]
    reached = {k for k, n in outcomes.items() if n}
    assert {"accepted", "rejected_400", "rejected_413", "rejected_415"} <= reached, f"the fuzz missed an outcome: {outcomes}"
    assert must_accept == [], f"valid records refused: {must_accept[:3]}"

    # Every accepted record is carried through: stored and classified (none half-accepted).
    wait_for(lambda: len(found(settings, "classifications", accepted)) == len(set(accepted)), 90,
             f"the {len(accepted)} records accepted over HTTP to be classified", interval=2)
    assert found(settings, "content_keys", accepted) == set(accepted)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_a_mebibyte_is_413_with_the_error_shape(pipeline, settings, chunked):
    """Before (found by the fuzz above): aiohttp's own plain-text 413, not the error shape."""
    body = b"[" + b" " * (1024 * 1024) + b"]"
    connection = http.client.HTTPConnection("127.0.0.1", settings.ingest_port, timeout=30)
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    try:
        if chunked:  # no Content-Length to check first: the read itself stops at the limit
            connection.request("POST", "/v1/content", body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                               headers=headers, encode_chunked=True)
        else:
            connection.request("POST", "/v1/content", body=body, headers=headers)
        response = connection.getresponse()
        status, answer = response.status, json.loads(response.read())
    finally:
        connection.close()
    assert status == 413
    assert answer["error"]["code"] == "body_too_large" and "1,048,576 bytes" in answer["error"]["message"]


@dataclass(frozen=True)
class Sent:
    partition: int
    offset: int
    raw: bytes | None
    content_id: str | None  # where it would be stored if accepted
    must_accept: bool


async def _produce(settings, values: list[tuple[bytes | None, bytes | None, bool]]) -> list[Sent]:
    producer = AIOKafkaProducer(**client_options(settings), acks="all",
                                max_request_size=2_000_000)
    await producer.start()
    try:
        pending = [await producer.send(topics.CONTENT_SUBMITTED.name, value=raw, key=key) for raw, key, _ in values]
        metadata = await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return [Sent(m.partition, m.offset, raw, expected_content_id(raw), valid)
            for m, (raw, _, valid) in zip(metadata, values)]


def _ingest_letters(settings, sent: dict[tuple[int, int], Sent]) -> dict[tuple[int, int], dict]:
    letters = {}
    for message in read_topic(settings, topics.CONTENT_SUBMITTED.dead_letter):
        letter = json.loads(message.value)
        where = (letter.get("partition"), letter.get("offset"))
        if letter.get("source_topic") == topics.CONTENT_SUBMITTED.name and where in sent:
            assert where not in letters, f"dead-lettered twice: {letter}"
            letters[where] = letter
    return letters


def _describe(items: list[Sent]) -> str:
    return "; ".join(f"p{s.partition}@{s.offset} {s.raw[:160] if s.raw is not None else None!r}" for s in items[:5])


def test_ingest_topic_carries_or_dead_letters_every_value(pipeline, settings):
    renderer = Renderer(unique("fuzzkafka"))
    values: list[tuple[bytes | None, bytes | None, bool]] = []

    @live(400)
    @given(value=topic_values, key=topic_keys)
    def one_value(value, key):
        template, ascii_only = value
        raw = None if template is None else renderer.render(template, ascii_only)
        assume(raw is None or len(raw) < KAFKA_VALUE_LIMIT)
        if raw is None and key is None:
            key = b"tombstone"  # Kafka has no record with neither
        values.append((raw, key, isinstance(template, Valid) and ascii_only))

    one_value()
    sent = {(s.partition, s.offset): s for s in asyncio.run(_produce(settings, values))}
    assert len(sent) == len(values)
    # Each id the fuzz made is used once (a hostile external_id is always an invalid one, so any
    # other content id is one that must never be stored).
    fresh = [s.content_id for s in sent.values() if s.content_id and renderer.run.encode() in (s.raw or b"")]
    assert len(fresh) == len(set(fresh)), "two values share a content id: the accounting would blur"

    state: dict = {}

    def settled() -> bool:
        letters = _ingest_letters(settings, sent)
        classified = found(settings, "classifications",
                           [s.content_id for w, s in sent.items() if s.content_id and w not in letters])
        state.update(letters=letters, classified=classified)
        return all(w in letters or s.content_id in classified for w, s in sent.items())

    try:
        wait_for(settled, 120, f"each of the {len(sent)} values to be classified or dead-lettered", interval=3)
    except AssertionError:
        pass  # reported below, with the values
    letters, classified = state["letters"], state["classified"]
    stored = found(settings, "content_keys", [s.content_id for s in sent.values() if s.content_id])
    carried = {w for w, s in sent.items() if s.content_id in classified}
    half = [s for w, s in sent.items() if s.content_id in stored and s.content_id not in classified and w not in letters]
    both = [s for w, s in sent.items() if w in letters and s.content_id in stored]
    lost = [s for w, s in sent.items() if w not in letters and s.content_id not in stored]
    refused_valid = [s for w, s in sent.items() if s.must_accept and w in letters]
    assert half == [], f"{len(half)} stored but never classified: {_describe(half)}"
    assert both == [], f"{len(both)} stored and dead-lettered: {_describe(both)}"
    assert lost == [], f"{len(lost)} neither stored nor dead-lettered (a stalled stage?): {_describe(lost)}"
    assert refused_valid == [], f"valid records dead-lettered: {[letters[(s.partition, s.offset)]['reason'] for s in refused_valid[:3]]}"
    assert carried <= {w for w, s in sent.items() if s.content_id in stored}
    for letter in letters.values():
        assert letter["stage"] == "ingest" and letter["reason"], letter
        assert letter["error_type"] in {"invalid_json", "validation"}, letter  # never "processing": no crash
        if letter["error_type"] == "validation":
            assert letter["fields"], letter
    outcomes = Counter(letter["error_type"] for letter in letters.values())
    assert len(carried) + sum(outcomes.values()) == len(sent), (len(carried), outcomes, len(sent))
    assert carried and outcomes["invalid_json"] and outcomes["validation"], f"both outcomes reached: {outcomes}"

    assert_no_stage_stalled(settings)


async def _sentinels(settings, run: str) -> list[str]:
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topics.CONTENT_SUBMITTED.name))
        ids = []
        for p in partitions:
            record = {"source": "x", "external_id": f"{run}-{p}", "kind": "post",
                      "text": "Coblos nomor 2 ya tanggal 14! Prabowo-Gibran satu putaran #PrabowoGibran2024",
                      "url": f"https://x.com/{BAMBANG[0]}/status/{p}", "author": {"handle": BAMBANG[0]}}
            await producer.send_and_wait(topics.CONTENT_SUBMITTED.name, json.dumps(record).encode(), partition=p)
            ids.append(alert_id_for(BAMBANG[1], content_id_for("x", record["external_id"])))
        return ids
    finally:
        await producer.stop()


def assert_no_stage_stalled(settings) -> None:
    """A fresh partisan post by a registry person on every ingest partition alerts within 30 s."""
    started = time.monotonic()
    wanted = asyncio.run(_sentinels(settings, unique("fuzz-sentinel")))
    wait_for(lambda: found(settings, "alerts", wanted) == set(wanted), 30,
             f"the {len(wanted)} sentinel alerts after the fuzz (one per ingest partition)", interval=1)
    assert time.monotonic() - started <= 30
