"""`pantau dlq list|show|replay` on the real broker. Before (issue 9): nothing read the dead-letter topics."""
from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka import AIOKafkaProducer

from shared import topics
from shared.kafka_client import client_options
from shared.schemas import DeadLetter
from tests.integration.conftest import wait_for, read_topic, run_cli, unique

pytestmark = pytest.mark.integration
DLQ = topics.CONTENT_SUBMITTED.dead_letter


async def _publish(settings, letters: list[DeadLetter]) -> None:
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    await producer.start()
    try:
        for letter in letters:
            await producer.send_and_wait(DLQ, value=letter.model_dump_json().encode(), key=b"k-" + letter.reason.encode()[:8])
    finally:
        await producer.stop()


def _mine(marker: str) -> list[dict]:
    listed = run_cli("dlq", "list", "--stage", "ingest", "--json").stdout.splitlines()
    return [row for row in map(json.loads, listed) if marker in row["reason"]]


def test_list_show_and_replay(stack, settings, tmp_path):
    marker = unique("dlqcli")
    valid = json.dumps({"source": "x", "external_id": marker, "kind": "post", "text": f"halo {marker}"})
    broken = json.dumps({"source": "x", "text": f"tanpa id {marker}"})
    asyncio.run(_publish(settings, [
        DeadLetter(stage="ingest", source_topic=topics.CONTENT_SUBMITTED.name, error_type="processing",
                   reason=f"store down {marker}", raw=valid),
        DeadLetter(stage="ingest", source_topic=topics.CONTENT_SUBMITTED.name, error_type="validation",
                   reason=f"external_id: Field required {marker}", fields=["external_id"], raw=broken),
    ]))
    rows = _mine(marker)
    assert [r["error_type"] for r in rows] == ["processing", "validation"]
    transient, invalid = rows
    assert invalid["fields"] == ["external_id"]
    table = run_cli("dlq", "list", "--since", "1h")
    assert "ingest" in table.stdout and "dead letters (" in table.stderr

    shown = run_cli("dlq", "show", invalid["id"], "--raw").stdout
    assert json.loads(shown) == json.loads(broken)

    # The transient one goes back as it was; the invalid one is refused until it is fixed.
    before = {m.offset for m in read_topic(settings, topics.CONTENT_SUBMITTED.name) if marker.encode() in m.value}
    assert not before
    done = run_cli("dlq", "replay", transient["id"])
    assert "replayed 1 of 1" in done.stderr
    refused = run_cli("dlq", "replay", invalid["id"], check=False)
    assert refused.returncode == 1 and "would fail again: external_id" in refused.stderr
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps({**json.loads(broken), "external_id": f"{marker}-fixed"}))
    run_cli("dlq", "replay", invalid["id"], "--value", str(fixed))
    replayed = [json.loads(m.value) for m in read_topic(settings, topics.CONTENT_SUBMITTED.name) if marker.encode() in m.value]
    assert sorted(r["external_id"] for r in replayed) == sorted([marker, f"{marker}-fixed"])


def test_replay_needs_a_selection(stack):
    result = run_cli("dlq", "replay", check=False)
    assert result.returncode == 2 and "letter ids, --stage or --since" in result.stderr


def test_submit_sends_the_valid_lines_and_lists_the_rest(stack, settings, tmp_path):
    """Before (issue 9): malformed lines were "published" with exit 0 and no word about them."""
    marker = unique("submit")
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"source": "x", "external_id": marker, "text": "halo"}) + "\n"
                    + json.dumps({"source": "x", "text": f"no id {marker}"}) + "\n")
    result = run_cli("submit", str(path), check=False)
    assert result.returncode == 1, result.stderr
    assert "line 2: external_id" in result.stderr
    assert "published 1 records" in result.stderr and "1 invalid lines not sent" in result.stderr
    # A topic the producer just created may answer its first reads before its partitions settle.
    sent = wait_for(lambda: [m.value for m in read_topic(settings, topics.CONTENT_SUBMITTED.name)
                             if marker.encode() in m.value], 30, "the valid line on the ingest topic", interval=1)
    assert len(sent) == 1 and b"no id" not in sent[0]
