"""The batched stage runner every service uses: consume a batch, validate, handle, publish, commit.

Why batches: one record at a time, every stage waited for a store round trip and a broker
acknowledgement per record (about 100 records/s end to end). A batch pays those waits once.

The order of one batch, and why nothing accepted is lost or duplicated:

1. Each input value is validated once into the stage's pydantic model. A bad value goes to the
   stage's dead-letter topic with the field that is wrong; the rest of the batch goes on.
2. The stage's handler runs on the valid items. It writes with bulk inserts (deterministic ids, so
   a replay finds "already there") and hands its outputs to ``publish``, which sends them all and
   waits for every broker acknowledgement together.
3. Only then are the batch's input events acknowledged, which lets faust commit their offsets.
   A crash anywhere before that replays the whole batch; the handler is idempotent.

Failures: a transient error (broker or store unreachable, "database is locked") retries the whole
batch with capped backoff, forever: the records are accepted input. Any other exception splits the
batch in halves until the failing record is alone; that record is retried a few times and then
dead-lettered with the exception text, so one poison record never blocks its neighbours.

faust's ``take()`` acknowledges a batch in a ``finally`` even when its processing failed, so the
faust adapter (``run_stage``) uses ``noack_take`` and acknowledges explicitly, after step 2.
"""
from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from shared import metrics
from shared.schemas import DeadLetter, describe_validation_error

log = logging.getLogger("pantau.stage")

M = TypeVar("M", bound=BaseModel)

MAX_UNEXPECTED_ATTEMPTS = 3
MAX_BACKOFF_S = 30.0


class InvalidRecord(Exception):
    """Input that can never be processed as it is: goes to the dead-letter topic, never retried."""

    def __init__(self, error_type: str, reason: str, fields: list[str] | None = None):
        super().__init__(reason)
        self.error_type = error_type
        self.reason = reason
        self.fields = fields or []


class TransientError(Exception):
    """A condition that passes by itself (a registry not loaded yet): retry the batch, never skip."""


def parse_model(model: type[M], raw: bytes | str, check_shape: bool = True) -> M:
    """Validate raw JSON into ``model`` or raise InvalidRecord with a field-level reason.

    ``check_shape=False`` for our own messages between stages: they were checked at the door."""
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRecord("invalid_json", f"not valid JSON: {exc}") from exc
    except ValueError as exc:  # valid JSON Python cannot read: an integer of more than 4,300 digits
        raise InvalidRecord("invalid_json", f"not readable JSON: {exc}"[:300]) from exc
    except RecursionError as exc:
        raise InvalidRecord("invalid_json", "not valid JSON: nested too deeply") from exc
    if not isinstance(payload, dict):
        raise InvalidRecord("validation", f"(record): expected a JSON object, got {type(payload).__name__}", ["(record)"])
    if check_shape:
        check_json_shape(payload)
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        reason, fields = describe_validation_error(exc)
        raise InvalidRecord("validation", reason, fields) from exc
    except RecursionError as exc:
        raise InvalidRecord("validation", "(record): nested too deeply", ["(record)"]) from exc


MAX_JSON_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_json_shape(payload: Any, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse what no record needs and what breaks later steps: deep nesting, lone UTF-16 surrogates.

    JSON allows ``"\\ud800"`` alone, but such a string cannot be written as UTF-8 (the store, the
    broker and every log line would fail on it later, far from the door).
    """
    stack: list[tuple[Any, str, int]] = [(payload, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > max_depth:
            raise InvalidRecord("validation", f"{path or '(record)'}: nested deeper than {max_depth} levels",
                                [path or "(record)"])
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise InvalidRecord("validation", f"{path or '(record)'}: contains a lone UTF-16 surrogate "
                                    "(not valid Unicode text)", [path or "(record)"])
        elif isinstance(value, dict):
            for key, child in value.items():
                if _SURROGATE.search(key):
                    raise InvalidRecord("validation", f"{path or '(record)'}: a key contains a lone UTF-16 surrogate",
                                        [path or "(record)"])
                stack.append((child, f"{path}.{key}" if path else key, depth + 1))
        elif isinstance(value, list):
            stack.extend((child, f"{path}.{i}", depth + 1) for i, child in enumerate(value))


def is_transient(exc: BaseException) -> bool:
    """Errors that pass by themselves: retry. Anything else is a bug or bad data: do not loop on it."""
    from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError
    from pymongo.errors import AutoReconnect, BulkWriteError, ConnectionFailure, OperationFailure, PyMongoError

    if isinstance(exc, (TransientError, asyncio.TimeoutError, TimeoutError, ConnectionError)):
        return True
    if isinstance(exc, KafkaError):
        return isinstance(exc, (KafkaConnectionError, KafkaTimeoutError)) or bool(getattr(exc, "retriable", False))
    if isinstance(exc, (AutoReconnect, ConnectionFailure)):  # not-primary and network timeouts included
        return True
    if isinstance(exc, BulkWriteError):
        errors = exc.details.get("writeErrors", []) if exc.details else []
        return bool(errors) and all(_store_busy(e.get("code"), e.get("errmsg", "")) for e in errors)
    if isinstance(exc, OperationFailure):
        return _store_busy(exc.code, str(exc))
    if isinstance(exc, PyMongoError):
        return exc.has_error_label("RetryableWriteError") or exc.has_error_label("TransientTransactionError")
    if isinstance(exc, OSError):  # sockets only: a missing file is not going to appear by retrying
        import socket

        return isinstance(exc, (socket.gaierror, socket.herror)) or exc.errno in _NETWORK_ERRNOS
    return False


def _store_busy(code: int | None, message: str) -> bool:
    """SQLite "database is locked" (FerretDB answers code 1), write conflicts, interrupted operations."""
    text = message.lower()
    return code in (112, 189, 91, 11600, 11602) or "database is locked" in text or "sqlite_busy" in text


_NETWORK_ERRNOS = frozenset({101, 103, 104, 110, 111, 113})  # ENETUNREACH ECONNABORTED ECONNRESET ETIMEDOUT ECONNREFUSED EHOSTUNREACH


@dataclass(frozen=True)
class Outgoing:
    """One record a stage publishes: topic name, key and the value bytes."""

    topic: str
    key: bytes | None
    value: bytes


@dataclass(frozen=True)
class Received:
    """One input record as it came off the topic."""

    value: bytes
    key: bytes | None = None
    partition: int | None = None
    offset: int | None = None


@dataclass
class Item(Generic[M]):
    """A valid input: its model, and where it came from (for dead letters and evidence bytes)."""

    model: M
    received: Received


Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


@dataclass
class Batch(Generic[M]):
    """What a handler receives: the valid items, a way to publish, and a way to refuse one item."""

    items: list[Item[M]]
    publish: Publish
    rejected: list[tuple[Item[M], InvalidRecord]] = field(default_factory=list)

    def reject(self, item: Item[M], error: InvalidRecord) -> None:
        """This item can never be processed (found out by the handler): dead-letter it, keep the rest."""
        self.rejected.append((item, error))


Handler = Callable[[Batch[Any]], Awaitable[None]]


@dataclass
class BatchRunner(Generic[M]):
    """The transport-free core: everything between "records arrived" and "acknowledge them"."""

    stage: str
    source_topic: str
    dead_letter_topic: str
    model: type[M]
    handler: Handler
    send: Publish  # sends every record and returns once the broker acknowledged them all
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    from_outside: bool = True  # input from upstream systems: depth and surrogates checked (check_json_shape)

    async def run(self, records: Sequence[Received]) -> dict[str, int]:
        """Process one batch to the end; returns counts by outcome. Raises only on cancellation."""
        started = time.perf_counter()
        items: list[Item[M]] = []
        letters: list[Outgoing] = []
        for record in records:
            try:
                items.append(Item(parse_model(self.model, record.value, self.from_outside), record))
            except InvalidRecord as exc:
                letters.append(self._letter(record, exc))
        failed = await self._handle(items, letters) if items else 0
        if letters:
            await self._until_done(lambda: self.send(letters), "dead letters")
        outcomes = {"processed": len(records) - len(letters), "dead_lettered": len(letters), "failed": failed}
        elapsed = time.perf_counter() - started
        for outcome in ("processed", "dead_lettered"):
            if outcomes[outcome]:
                metrics.EVENTS.labels(self.stage, outcome).inc(outcomes[outcome])
        metrics.BATCH_SIZE.labels(self.stage).observe(len(records))
        metrics.BATCH_SECONDS.labels(self.stage).observe(elapsed)
        if records:
            metrics.PROCESSING.labels(self.stage).observe(elapsed / len(records))
        return outcomes

    async def _handle(self, items: list[Item[M]], letters: list[Outgoing]) -> int:
        """Run the handler on ``items``; isolate and dead-letter what keeps failing. Returns that count."""
        attempt = 0
        while True:
            attempt += 1
            batch = Batch(items, self.send)
            try:
                await self.handler(batch)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the stream must survive
                if is_transient(exc):
                    await self._backoff(attempt, exc, "transient", len(items))
                    continue
                if len(items) > 1:  # find the poison record: halves are retried independently
                    metrics.RETRIES.labels(self.stage, "split").inc()
                    middle = len(items) // 2
                    return await self._handle(items[:middle], letters) + await self._handle(items[middle:], letters)
                if attempt >= MAX_UNEXPECTED_ATTEMPTS:
                    log.exception("processing failed; dead-lettering", extra={"fields": {"stage": self.stage}})
                    error = InvalidRecord("processing", f"{type(exc).__name__}: {exc}"[:2000])
                    letters.append(self._letter(items[0].received, error))
                    return 1
                await self._backoff(attempt, exc, "unexpected", 1)
                continue
            letters.extend(self._letter(item.received, error) for item, error in batch.rejected)
            return 0

    async def _until_done(self, action: Callable[[], Awaitable[None]], what: str) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                await action()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a dead letter must be durable before the offset moves
                await self._backoff(attempt, exc, "transient", 0, what)

    async def _backoff(self, attempt: int, exc: BaseException, kind: str, size: int, what: str = "batch") -> None:
        metrics.RETRIES.labels(self.stage, kind).inc()
        delay = min(MAX_BACKOFF_S, 0.2 * 2 ** min(attempt, 8)) * (0.5 + random.random() / 2)
        log.warning(
            f"{what} failed; retrying",
            extra={"fields": {"stage": self.stage, "attempt": attempt, "records": size, "delay_s": round(delay, 2),
                              "error": f"{type(exc).__name__}: {exc}"[:500]}},
        )
        await self.sleep(delay)

    def _letter(self, record: Received, error: InvalidRecord) -> Outgoing:
        letter = DeadLetter(
            stage=self.stage,
            source_topic=self.source_topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key.decode(errors="replace") if isinstance(record.key, bytes) else record.key,
            error_type=error.error_type,
            reason=error.reason,
            fields=error.fields,
            raw=bytes(record.value).decode("utf-8", errors="replace")[:100_000],
        )
        log.warning("dead-lettered", extra={"fields": {
            "stage": self.stage, "partition": record.partition, "offset": record.offset,
            "error_type": error.error_type, "reason": error.reason}})
        return Outgoing(self.dead_letter_topic, record.key, letter.model_dump_json().encode())


@dataclass(frozen=True)
class BatchLimits:
    """How much one batch takes: up to ``max_records``, or what arrived within ``max_wait_s``."""

    max_records: int = 500
    max_wait_s: float = 0.05


def kafka_publisher(app) -> Publish:
    """Send through the app's producer and wait for every acknowledgement together."""

    async def publish(messages: Sequence[Outgoing]) -> None:
        if not messages:
            return
        producer = app.producer
        pending = [await producer.send(m.topic, m.key, m.value, None, None, None) for m in messages]
        await asyncio.gather(*pending)

    return publish


async def run_stage(stream, runner: BatchRunner, limits: BatchLimits) -> None:
    """The faust agent body: batches from ``noack_take``, acknowledged only after they are done."""
    async for events in stream.noack_take(limits.max_records, within=limits.max_wait_s):
        records = [
            Received(bytes(event.value) if event.value is not None else b"", event.message.key,
                     event.message.partition, event.message.offset)
            for event in events
        ]
        await runner.run(records)
        for event in events:
            await stream.ack(event)
            metrics.record_position(runner.stage, event.message.tp, event.message.offset)
