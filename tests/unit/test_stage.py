"""The batched stage runner (``shared.stage.BatchRunner``): what happens to every record of a batch.

The runner is transport-free; its broker port (``send``) is a recorder here. The real broker and
store are exercised by tests/integration/test_stage_runner.py.
"""
from __future__ import annotations

import json
import socket

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from pymongo.errors import AutoReconnect, BulkWriteError, NotPrimaryError, OperationFailure, ServerSelectionTimeoutError

from shared.schemas import ContentRecord
from shared.stage import BatchRunner, InvalidRecord, Received, TransientError, is_transient


def record(external_id: str, **extra) -> Received:
    body = {"source": "x", "external_id": external_id, "text": "halo", **extra}
    return Received(json.dumps(body).encode(), key=external_id.encode(), partition=0, offset=int(external_id[1:]))


class Recorder:
    """The broker port: keeps what was published, can fail the first N calls."""

    def __init__(self, failures: int = 0, error: Exception | None = None):
        self.sent, self.failures, self.error, self.calls = [], failures, error, 0

    async def __call__(self, messages):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        self.sent.extend(messages)

    def letters(self):
        return [json.loads(m.value) for m in self.sent if m.topic.endswith(".dlq")]


async def no_sleep(_seconds):
    return None


def runner(handler, send):
    return BatchRunner("unit", "in.v1", "in.v1.dlq", ContentRecord, handler, send, sleep=no_sleep)


async def test_valid_batch_reaches_the_handler_once_typed():
    seen = []

    async def handler(batch):
        seen.append([item.model.external_id for item in batch.items])
        assert all(isinstance(item.model, ContentRecord) for item in batch.items)

    send = Recorder()
    outcome = await runner(handler, send).run([record("r1"), record("r2"), record("r3")])
    assert seen == [["r1", "r2", "r3"]]
    assert outcome == {"processed": 3, "dead_lettered": 0, "failed": 0}
    assert send.sent == []


@pytest.mark.parametrize("raw, error_type, field", [
    (b"{not json", "invalid_json", None),
    (b"", "invalid_json", None),  # a tombstone
    (b"[1, 2]", "validation", "(record)"),
    (json.dumps({"source": "x", "text": "no id"}).encode(), "validation", "external_id"),
    (json.dumps({"source": "x", "external_id": "e", "kind": "dance"}).encode(), "validation", "kind"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid_json", None),  # nesting deeper than the parser goes
    # Valid JSON Python refuses to read (ValueError, not JSONDecodeError): it used to escape the runner
    # and stop the stage's agent (found by tests/integration/test_fuzz_live.py).
    (b'{"source": "x", "external_id": "e", "extra": {"n": ' + b"1" * 5000 + b"}}", "invalid_json", None),
])
async def test_bad_values_are_dead_lettered_with_the_field_and_the_rest_goes_on(raw, error_type, field):
    handled = []

    async def handler(batch):
        handled.extend(item.model.external_id for item in batch.items)

    send = Recorder()
    bad = Received(raw, key=b"k", partition=3, offset=41)
    outcome = await runner(handler, send).run([record("r1"), bad, record("r2")])
    assert handled == ["r1", "r2"]
    [letter] = send.letters()
    assert (letter["error_type"], letter["partition"], letter["offset"], letter["stage"]) == (error_type, 3, 41, "unit")
    if field:
        assert field in letter["fields"] and field in letter["reason"]
    assert outcome["dead_lettered"] == 1


async def test_a_poison_record_is_isolated_and_its_neighbours_are_processed():
    done = set()

    async def handler(batch):
        if any(item.model.external_id == "r5" for item in batch.items):
            raise ValueError("bug triggered by r5")
        done.update(item.model.external_id for item in batch.items)

    send = Recorder()
    records = [record(f"r{i}") for i in range(1, 9)]
    outcome = await runner(handler, send).run(records)
    assert done == {f"r{i}" for i in range(1, 9)} - {"r5"}
    [letter] = send.letters()
    assert letter["offset"] == 5 and letter["error_type"] == "processing" and "bug triggered by r5" in letter["reason"]
    assert outcome == {"processed": 7, "dead_lettered": 1, "failed": 1}


async def test_a_transient_store_error_retries_the_whole_batch_and_never_skips_it():
    attempts = []

    async def handler(batch):
        attempts.append(len(batch.items))
        if len(attempts) < 4:
            raise OperationFailure("database is locked (SQLITE_BUSY)", code=1)

    send = Recorder()
    outcome = await runner(handler, send).run([record("r1"), record("r2")])
    assert attempts == [2, 2, 2, 2]  # retried as a batch, not split, not dead-lettered
    assert send.letters() == [] and outcome["dead_lettered"] == 0


async def test_the_handler_can_refuse_one_item():
    async def handler(batch):
        for item in batch.items:
            if item.model.external_id == "r2":
                batch.reject(item, InvalidRecord("validation", "text: too costly", ["text"]))

    send = Recorder()
    await runner(handler, send).run([record("r1"), record("r2")])
    [letter] = send.letters()
    assert letter["offset"] == 2 and letter["fields"] == ["text"]


async def test_dead_letters_are_durable_before_the_batch_returns():
    async def handler(batch):
        return None

    send = Recorder(failures=3, error=KafkaConnectionError("broker down"))
    await runner(handler, send).run([Received(b"nope", partition=0, offset=9)])
    assert send.calls == 4 and len(send.letters()) == 1


async def test_publish_failure_inside_the_handler_retries_the_batch():
    async def handler(batch):
        await batch.publish([])

    calls = []

    async def flaky(messages):
        calls.append(messages)
        if len(calls) < 3:
            raise KafkaConnectionError("broker down")

    await runner(handler, flaky).run([record("r1")])
    assert len(calls) == 3


def _bulk_error(*errors):
    return BulkWriteError({"writeErrors": list(errors)})


@pytest.mark.parametrize("error, transient", [
    (OperationFailure("database is locked (SQLITE_BUSY)", code=1), True),
    (OperationFailure("WriteConflict", code=112), True),
    (OperationFailure("unknown operator: $foo", code=2), False),
    (_bulk_error({"index": 0, "code": 1, "errmsg": "database is locked"}), True),
    (_bulk_error({"index": 0, "code": 11000, "errmsg": "duplicate key"}), False),
    (AutoReconnect("connection reset"), True),
    (NotPrimaryError("not primary"), True),
    (ServerSelectionTimeoutError("no servers"), True),
    (KafkaConnectionError("no broker"), True),
    (MessageSizeTooLargeError(), False),
    (ConnectionRefusedError(111, "refused"), True),
    (socket.gaierror(-2, "Name or service not known"), True),
    (TimeoutError(), True),
    (TransientError("registry not loaded"), True),
    (FileNotFoundError(2, "No such file"), False),
    (PermissionError(13, "denied"), False),
    (OSError(28, "No space left on device"), False),
    (ValueError("bug"), False),
    (KeyError("field"), False),
])
def test_which_errors_are_transient(error, transient):
    assert is_transient(error) is transient
