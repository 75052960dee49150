"""faust and aiokafka helpers shared by the four services.

The rule every stage follows (faust acks a failed event and a crashed agent stalls its partitions):
handle each message inside ``process_events``, which never lets an exception escape. Bad input goes
to the stage's dead-letter topic with the reason; infrastructure failures are retried with backoff
and never skipped, so nothing already accepted is lost.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import faust
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from pydantic import ValidationError

from shared import metrics, topics
from shared.schemas import DeadLetter, describe_validation_error
from shared.logging import logging_config
from shared.settings import Settings

log = logging.getLogger("pantau.kafka")

WEB_PORT_OFFSETS = {"ingest": 1, "classify": 2, "match": 3, "notify": 4}


class InvalidRecord(Exception):
    """Input that can never be processed as it is: goes to the dead-letter topic."""

    def __init__(self, error_type: str, reason: str, fields: list[str] | None = None):
        super().__init__(reason)
        self.error_type = error_type
        self.reason = reason
        self.fields = fields or []


def parse_model(model: type, raw: bytes | str):
    """Validate raw JSON into ``model`` or raise InvalidRecord with a field-level reason."""
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRecord("invalid_json", f"not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidRecord("validation", f"(record): expected a JSON object, got {type(payload).__name__}", ["(record)"])
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        reason, fields = describe_validation_error(exc)
        raise InvalidRecord("validation", reason, fields) from exc


def make_app(service: str, settings: Settings, web_port: int | None = None) -> faust.App:
    """One faust app per service: its own consumer group (app id), raw values, loopback web."""
    datadir = settings.state_dir / "faust" / service
    datadir.mkdir(parents=True, exist_ok=True)
    return faust.App(
        f"pantau-{service}",
        broker=settings.kafka_url,
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(datadir),
        web_enabled=True,
        web_bind=settings.bind_host,
        web_host="127.0.0.1",
        web_port=web_port or settings.web_port_base + WEB_PORT_OFFSETS[service],
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=1,
        topic_allow_declare=True,  # ours exist already (ensure_topics); faust declares its own internal ones
        processing_guarantee="at_least_once",
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        broker_session_timeout=settings.kafka_session_timeout_s,
        broker_heartbeat_interval=max(1.0, settings.kafka_session_timeout_s / 5),
        broker_rebalance_timeout=max(20.0, settings.kafka_session_timeout_s * 2),
        stream_wait_empty=True,
        logging_config=logging_config(settings.log_level),
    )


def topic(app: faust.App, spec: topics.TopicSpec, settings: Settings) -> faust.TopicT:
    return app.topic(spec.name, partitions=spec.partitions or settings.topic_partitions)


async def ensure_topics(settings: Settings) -> list[str]:
    """Create every pipeline topic with its partition count; existing topics are left alone."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=1)
            for name in topics.all_topic_names()
            if name not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass  # another service created them first
        return [t.name for t in wanted]
    finally:
        await admin.close()


@dataclass
class DeadLetterSink:
    stage: str
    source: topics.TopicSpec
    channel: faust.TopicT

    async def send(self, event: Any, error: InvalidRecord | Exception, error_type: str | None = None) -> None:
        raw = event.value if isinstance(event.value, bytes | bytearray) else json.dumps(event.value).encode()
        message = event.message
        letter = DeadLetter(
            stage=self.stage,
            source_topic=self.source.name,
            partition=message.partition,
            offset=message.offset,
            key=message.key.decode(errors="replace") if isinstance(message.key, bytes) else message.key,
            error_type=getattr(error, "error_type", error_type or "processing"),
            reason=getattr(error, "reason", f"{type(error).__name__}: {error}"),
            fields=getattr(error, "fields", []),
            raw=bytes(raw).decode("utf-8", errors="replace")[:100_000],
        )
        # Sent now and awaited: a dead letter must be durable before the offset moves on.
        await (await self.channel.send(key=message.key, value=letter.model_dump_json().encode(), force=True))
        log.warning(
            "dead-lettered",
            extra={"fields": {"stage": self.stage, "offset": message.offset, "partition": message.partition,
                              "error_type": letter.error_type, "reason": letter.reason}},
        )


Handler = Callable[[Any], Awaitable[None]]

MAX_UNEXPECTED_ATTEMPTS = 5


async def process_events(stream: faust.StreamT, handler: Handler, dead_letters: DeadLetterSink) -> None:
    """Run ``handler`` on each event; never raise.

    * InvalidRecord -> dead-letter topic, then on to the next record.
    * Connection-type failures (Kafka, MongoDB) -> retried with capped exponential backoff, forever:
      the record is accepted input and must not be lost.
    * Anything else (a bug) -> a few retries, then the dead-letter topic with the exception text.
    """
    stage = dead_letters.stage
    async for event in stream.events():
        started, attempt, outcome = time.perf_counter(), 0, "processed"
        while True:
            attempt += 1
            try:
                await handler(event)
                break
            except InvalidRecord as exc:
                await dead_letters.send(event, exc)
                outcome = "dead_lettered"
                break
            except Exception as exc:  # noqa: BLE001 - the loop must survive
                transient = _is_transient(exc)
                if not transient and attempt >= MAX_UNEXPECTED_ATTEMPTS:
                    log.exception("processing failed; dead-lettering", extra={"fields": {"stage": stage}})
                    await dead_letters.send(event, exc, "processing")
                    outcome = "dead_lettered"
                    break
                metrics.RETRIES.labels(stage, "transient" if transient else "unexpected").inc()
                delay = min(30.0, 0.2 * 2 ** min(attempt, 8)) * (0.5 + random.random() / 2)
                log.warning(
                    "processing failed; retrying",
                    extra={"fields": {"stage": stage, "attempt": attempt, "delay_s": round(delay, 2),
                                      "error": f"{type(exc).__name__}: {exc}"[:500]}},
                )
                await asyncio.sleep(delay)
        metrics.EVENTS.labels(stage, outcome).inc()
        metrics.PROCESSING.labels(stage).observe(time.perf_counter() - started)
        metrics.record_position(stage, event.message.tp, event.message.offset)


def _is_transient(exc: Exception) -> bool:
    from aiokafka.errors import KafkaError
    from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

    return isinstance(
        exc, (KafkaError, AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError,
              ConnectionError, asyncio.TimeoutError, OSError)
    )


def run_worker(app: faust.App, settings: Settings) -> None:
    """Start a faust worker for ``app`` after making sure the topics exist."""
    from shared.logging import configure_logging

    configure_logging(settings.log_level)
    asyncio.run(ensure_topics(settings))
    sys.argv = [sys.argv[0], "worker", "--loglevel", settings.log_level.lower()]
    app.main()
