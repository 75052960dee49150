"""kill -9 of the classify worker with 2,000 records in flight: nothing lost, nothing doubled."""
from __future__ import annotations

import asyncio
import json
import os
import signal
from collections import Counter

import pytest

from pantau.loadgen import mixed_posts
from shared import topics
from shared.mongo import connect
from shared.schemas import alert_id_for, content_id_for
from tests.integration.conftest import read_topic, run_cli, unique, wait_for

pytestmark = pytest.mark.integration

TOTAL = 2000
async def _count(settings, collection: str, ids: list[str] | None = None, **fields) -> int:
    """Documents in ``collection`` (only ``ids`` if given: slower on FerretDB, so used sparingly)."""
    client, db = connect(settings)
    try:
        return await db[collection].count_documents({**({"_id": {"$in": ids}} if ids else {}), **fields})
    finally:
        await client.close()


async def _matched_pairs(settings, ids: list[str]) -> set[str]:
    client, db = connect(settings)
    try:
        pairs = set()
        async for doc in db["matches"].find({"_id": {"$in": ids}}):
            pairs |= {alert_id_for(m["nip"], doc["_id"]) for m in doc["matches"] if m["band"] == "match"}
        return pairs
    finally:
        await client.close()


def test_kill_9_classify_mid_stream_loses_nothing_and_duplicates_no_alert(pipeline, settings, tmp_path):
    stack = pipeline["stack"]
    run = unique("crash")
    records, partisan_registered = mixed_posts(run, TOTAL)
    ids = [content_id_for("x", r["external_id"]) for r in records]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    # Classifications are upserts keyed by content id, so the collection's growth counts distinct records.
    # The baseline is taken before submitting: classify starts on the batch before `submit` returns.
    baseline = asyncio.run(_count(settings, "classifications"))
    run_cli("submit", str(path))

    classified = lambda: asyncio.run(_count(settings, "classifications")) - baseline  # noqa: E731
    wait_for(lambda: classified() >= 100, 60, "classify to be part-way through the batch", interval=0.2)
    classify = stack.service("classify")
    os.killpg(classify.pid(), signal.SIGKILL)
    classify.wait_exited()
    in_flight = TOTAL - classified()
    assert in_flight > 0, "the kill must land while records are still in flight"
    stack.services_up(("classify",))
    assert classify.pid() is not None, "classify must be running again"

    wait_for(lambda: classified() >= TOTAL, 300, f"all {TOTAL} records to be classified after the restart", interval=2)
    assert asyncio.run(_count(settings, "classifications", ids)) == TOTAL
    partisan = asyncio.run(_count(settings, "classifications", ids, partisan=True))
    wait_for(lambda: asyncio.run(_count(settings, "matches", ids)) == partisan, 120, "every partisan record matched")
    expected = asyncio.run(_matched_pairs(settings, ids))
    assert len(expected) >= len(partisan_registered) * 0.9
    wait_for(lambda: asyncio.run(_count(settings, "alerts", sorted(expected))) == len(expected), 120,
             "every matched pair to become an alert")

    def all_published() -> Counter | None:
        found = Counter(
            json.loads(m.value)["alert_id"] for m in read_topic(settings, topics.ALERTS.name, timeout=20)
            if json.loads(m.value)["content"]["content_id"] in set(ids)
        )
        return found if set(found) >= expected else None

    # An alert is stored, then its case opened, then published: the topic may trail the store.
    alert_ids = wait_for(all_published, 60, "every alert on pantau.alerts.v1")
    assert set(alert_ids) == expected
    assert [a for a, n in alert_ids.items() if n > 1] == [], "an alert was published twice"
    assert asyncio.run(_count(settings, "content", ids)) == TOTAL
