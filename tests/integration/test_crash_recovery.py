"""kill -9 of each stage's worker with thousands of records in flight: nothing lost, nothing doubled."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.request
from collections import Counter

import pytest

from pantau.loadgen import mixed_posts
from shared import topics
from shared.kafka import WEB_PORT_OFFSETS
from shared.mongo import connect
from shared.pages import count_rows, read_rows
from shared.schemas import alert_id_for, content_id_for
from shared.stored import MatchResult, StoredClassification
from tests.integration.conftest import read_topic, run_cli, unique, wait_for

pytestmark = pytest.mark.integration

TOTAL = 3000
PAGED = {StoredClassification.COLLECTION: StoredClassification.TIME_FIELD, MatchResult.COLLECTION: MatchResult.TIME_FIELD}


async def _count(settings, collection: str, ids: list[str] | None = None, **fields) -> int:
    """Documents in ``collection`` (only ``ids`` if given: slower on FerretDB, so used sparingly); rows of a
    paged collection (summaries, match results)."""
    client, db = connect(settings)
    try:
        if collection in PAGED:
            if not ids and not fields:
                return await count_rows(db[collection])
            return sum([all(row[k] == v for k, v in fields.items()) async for row in read_rows(
                db[collection], ids=ids, time_field=PAGED[collection])])
        return await db[collection].count_documents({**({"_id": {"$in": ids}} if ids else {}), **fields})
    finally:
        await client.close()


async def _matched_pairs(settings, ids: list[str]) -> set[str]:
    client, db = connect(settings)
    try:
        pairs = set()
        async for row in read_rows(db[MatchResult.COLLECTION], ids=ids, time_field=MatchResult.TIME_FIELD):
            pairs |= {alert_id_for(m["nip"], row["_id"]) for m in row["matches"] if m["band"] == "match"}
        return pairs
    finally:
        await client.close()


# Each stage's progress is the collection it writes (insert-only, keyed by content id), so its growth
# counts distinct records; the stage is killed while that count is part-way through the load.
PROGRESS = {"ingest": "content_keys", "classify": "classifications", "match": "matches", "notify": "alerts"}


def _processed_since_start(settings, stage: str) -> int:
    port = settings.ingest_port if stage == "ingest" else settings.web_port_base + WEB_PORT_OFFSETS[stage]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return 0
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
               if line.startswith("pantau_events_total{") and f'stage="{stage}"' in line and "processed" in line)


@pytest.mark.parametrize("stage", list(PROGRESS))
def test_kill_9_mid_stream_loses_nothing_and_duplicates_no_alert(pipeline, settings, tmp_path, stage):
    stack = pipeline["stack"]
    run = unique(f"crash-{stage}")
    records, partisan_registered = mixed_posts(run, TOTAL)
    ids = [content_id_for("x", r["external_id"]) for r in records]
    share = {"ingest": 1.0, "classify": 1.0, "match": 0.4, "notify": 0.2}[stage]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    # The stage is stopped while its input piles up, restarted, and killed once it has written part of
    # the backlog: so the kill lands mid-run even for a stage that drains a small load in a second.
    collection = PROGRESS[stage]
    service = stack.service(stage)
    stack.services_down((stage,))
    run_cli("submit", str(path))
    upstream = {"classify": ("content_keys", TOTAL), "match": ("classifications", TOTAL),
                "notify": ("matches", int(TOTAL * 0.4))}.get(stage)
    if upstream:
        name, want = upstream
        wait_for(lambda: asyncio.run(_count(settings, name, ids)) >= want, 300,
                 f"the backlog for {stage} ({want} records in {name})", interval=1)
    baseline = asyncio.run(_count(settings, collection))
    stack.services_up((stage,))
    progressed = lambda: asyncio.run(_count(settings, collection)) - baseline  # noqa: E731
    # The restarted worker's own counter (cheap to poll, unlike a count): killed after its first batch.
    wait_for(lambda: _processed_since_start(settings, stage) >= 1, 120, f"{stage} to finish a first batch",
             interval=0.01)
    os.killpg(service.pid(), signal.SIGKILL)
    service.wait_exited()
    in_flight = int(TOTAL * share) - progressed()
    assert in_flight > 0, "the kill must land while records are still in flight"
    stack.services_up((stage,))
    assert service.pid() is not None, f"{stage} must be running again"

    wait_for(lambda: asyncio.run(_count(settings, "classifications", ids)) == TOTAL, 300,
             f"all {TOTAL} records to be classified after the restart", interval=2)
    partisan = asyncio.run(_count(settings, "classifications", ids, partisan=True))
    wait_for(lambda: asyncio.run(_count(settings, "matches", ids)) == partisan, 120, "every partisan record matched")
    expected = asyncio.run(_matched_pairs(settings, ids))
    assert len(expected) >= len(partisan_registered) * 0.9
    wait_for(lambda: asyncio.run(_count(settings, "alerts", sorted(expected))) == len(expected), 120,
             "every matched pair to become an alert")

    def all_published() -> Counter | None:
        found = Counter(
            json.loads(m.value)["alert_id"] for m in read_topic(settings, topics.ALERTS.name)
            if json.loads(m.value)["content"]["content_id"] in set(ids)
        )
        return found if set(found) >= expected else None

    # An alert is stored, then its case opened, then published: the topic may trail the store.
    alert_ids = wait_for(all_published, 60, "every alert on pantau.alerts.v1")
    assert set(alert_ids) == expected
    # A kill between the broker's acknowledgement and the in-flight mark's deletion re-publishes that
    # batch under the same ids (at-least-once; consumers de-duplicate on alert_id). Anything else is
    # published exactly once.
    repeated = [a for a, n in alert_ids.items() if n > 1]
    if stage != "notify":
        assert repeated == [], "an alert was published twice"
    else:
        assert len(repeated) <= int(settings.batch_max_records), "more than one batch was published twice"
    assert asyncio.run(_count(settings, "content_keys", ids)) == TOTAL
    assert asyncio.run(_count(settings, "ingest_in_flight")) == 0
    assert asyncio.run(_count(settings, "alerts_in_flight")) == 0
