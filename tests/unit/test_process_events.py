"""The per-message loop every stage runs, exercised through faust's own ``test_context()``.

Bad input goes to the dead-letter channel with its reason and the stream goes on; a transient
failure is retried instead of skipped; an unexpected error is dead-lettered after a few attempts.
"""
from __future__ import annotations

import json

import faust
import pytest
from pymongo.errors import AutoReconnect

from prometheus_client import REGISTRY

from shared import kafka as shared_kafka
from shared.kafka import DeadLetterSink, parse_model, process_events
from shared.schemas import ContentRecord
from shared.topics import CONTENT_SUBMITTED


@pytest.fixture()
def app(monkeypatch):
    monkeypatch.setattr(shared_kafka.asyncio, "sleep", _no_sleep)
    # test_context() never connects: the broker URL only satisfies faust (it has no memory:// broker).
    app = faust.App("pantau-unit-test", broker="kafka://127.0.0.1:9", store="memory://", value_serializer="raw")
    app.finalize()
    app.flow_control.resume()
    return app


async def _no_sleep(_delay):
    return None


def make_agent(app, handler, dead_letter_channel):
    source = app.channel()
    sink = DeadLetterSink("unit", CONTENT_SUBMITTED, dead_letter_channel)

    @app.agent(source)
    async def agent(stream):
        await process_events(stream, handler, sink)

    return agent


class _CapturingChannel:
    """Stands in for the dead-letter topic's send() only; the stream machinery is faust's own."""

    def __init__(self):
        self.sent: list[dict] = []

    async def send(self, *, key=None, value=None, force=False):
        self.sent.append(json.loads(value))

        async def delivered():
            return None

        return delivered()


async def test_invalid_record_is_dead_lettered_and_the_stream_goes_on(app):
    processed, letters = [], _CapturingChannel()

    async def handler(event):
        processed.append(parse_model(ContentRecord, event.value).external_id)

    agent = make_agent(app, handler, letters)
    async with agent.test_context() as ctx:
        await ctx.put(b'{"source": "x", "text": "no id"}')
        await ctx.put(b"not json")
        await ctx.put(b'{"source": "x", "external_id": "ok-1"}')
    assert processed == ["ok-1"]
    assert [(d["error_type"], d["fields"]) for d in letters.sent] == [("validation", ["external_id"]), ("invalid_json", [])]
    assert "external_id: Field required" in letters.sent[0]["reason"]
    assert letters.sent[1]["raw"] == "not json"


async def test_transient_failures_are_retried_not_skipped(app):
    attempts, letters = [], _CapturingChannel()

    async def handler(event):
        attempts.append(event.value)
        if len(attempts) < 4:
            raise AutoReconnect("mongodb is restarting")

    agent = make_agent(app, handler, letters)
    async with agent.test_context() as ctx:
        await ctx.put(b'{"source": "x", "external_id": "1"}')
    assert len(attempts) == 4
    assert letters.sent == []


async def test_unexpected_errors_are_dead_lettered_after_bounded_attempts(app):
    attempts, letters = [], _CapturingChannel()

    async def handler(event):
        attempts.append(1)
        raise KeyError("bug")

    agent = make_agent(app, handler, letters)
    async with agent.test_context() as ctx:
        await ctx.put(b"{}")
    assert len(attempts) == shared_kafka.MAX_UNEXPECTED_ATTEMPTS
    assert letters.sent[0]["error_type"] == "processing" and "KeyError" in letters.sent[0]["reason"]


async def test_outcomes_and_retries_are_counted_for_metrics(app):
    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, {"stage": "unit", **labels}) or 0.0

    before = {"processed": sample("pantau_events_total", outcome="processed"),
              "dead_lettered": sample("pantau_events_total", outcome="dead_lettered"),
              "transient": sample("pantau_retries_total", kind="transient"),
              "timed": sample("pantau_processing_seconds_count")}
    seen: list[bytes] = []

    async def handler(event):
        seen.append(event.value)
        if event.value == b"flaky":
            if seen.count(b"flaky") == 1:
                raise AutoReconnect("mongodb is restarting")  # the first attempt only
            return
        parse_model(ContentRecord, event.value)

    agent = make_agent(app, handler, _CapturingChannel())
    async with agent.test_context() as ctx:
        await ctx.put(b'{"source": "x", "external_id": "ok"}')
        await ctx.put(b"not json")
        await ctx.put(b"flaky")
    assert sample("pantau_events_total", outcome="processed") - before["processed"] == 2
    assert sample("pantau_events_total", outcome="dead_lettered") - before["dead_lettered"] == 1
    assert sample("pantau_retries_total", kind="transient") - before["transient"] == 1
    assert sample("pantau_processing_seconds_count") - before["timed"] == 3
