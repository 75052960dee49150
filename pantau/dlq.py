"""Reading and replaying the dead-letter topics (``<topic>.dlq``, shared.topics).

Pure parts first (ids, filters, ``--since`` parsing, replay decisions); the Kafka adapter reads a
topic from the start (or from a time) to its current end without a consumer group, so listing
never moves anyone's offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from shared import topics
from shared.schemas import DeadLetter

# Which model a stage parses from its input topic: a replayed value is checked with it first.
STAGE_INPUT = {
    topics.CONTENT_SUBMITTED.name: "ContentRecord",
    topics.CONTENT_ACCEPTED.name: "ContentAccepted",
    topics.CONTENT_CLASSIFIED.name: "ContentClassified",
    topics.CONTENT_MATCHED.name: "ContentMatched",
}
TRANSIENT = "processing"  # error_type of failures that may pass on a retry (not bad input)


def dead_letter_topics() -> dict[str, str]:
    """dead-letter topic -> the topic it is the twin of."""
    return {spec.dead_letter: spec.name for spec in topics.PIPELINE + topics.OUTPUTS if spec.dead_letter}


@dataclass(frozen=True)
class Letter:
    id: str  # "<dlq topic>:<partition>:<offset>" of the letter itself
    letter: DeadLetter
    key: bytes | None

    @property
    def stage(self) -> str:
        return self.letter.stage


def letter_id(topic: str, partition: int, offset: int) -> str:
    return f"{topic}:{partition}:{offset}"


def parse_letter_id(value: str) -> tuple[str, int, int]:
    match = re.fullmatch(r"(.+):(\d+):(\d+)", value.strip())
    if not match:
        raise ValueError(f"dead-letter id {value!r} must look like <topic>:<partition>:<offset> (see `pantau dlq list`)")
    return match.group(1), int(match.group(2)), int(match.group(3))


_DURATION = re.compile(r"^(\d+)\s*(s|m|h|d|w)$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """``2h``/``30m``/``7d`` ago, or an ISO date/time (UTC when no zone is given)."""
    if value is None or not value.strip():
        return None
    now = now or datetime.now(timezone.utc)
    text = value.strip().lower()
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"--since {value!r}: give a duration like 2h, 30m, 7d or an ISO time like 2026-12-01T08:00") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def select(letters: list[Letter], stage: str | None = None, since: datetime | None = None,
           ids: list[str] | None = None, error_type: str | None = None) -> list[Letter]:
    wanted = set(ids or [])
    out = []
    for item in letters:
        if wanted and item.id not in wanted:
            continue
        if stage and item.stage != stage:
            continue
        if since and item.letter.failed_at < since:
            continue
        if error_type and item.letter.error_type != error_type:
            continue
        out.append(item)
    return out


def check_replay(letter: DeadLetter, value: bytes) -> str | None:
    """Why ``value`` would be dead-lettered again (None: it would pass the stage's validation)."""
    from shared import schemas
    from shared.kafka import InvalidRecord, parse_model

    model = STAGE_INPUT.get(letter.source_topic)
    if model is None:
        return f"no replay for records of {letter.source_topic}"
    try:
        parse_model(getattr(schemas, model), value)
    except InvalidRecord as exc:
        return exc.reason
    return None


# -- Kafka adapter --------------------------------------------------------------------------------
async def read_letters(client: dict, dlq_topics: list[str], since: datetime | None = None,
                       timeout_s: float = 10.0) -> tuple[list[Letter], list[str]]:
    """Every letter on ``dlq_topics`` (from ``since`` when given); also the unreadable messages."""
    import asyncio

    from aiokafka import AIOKafkaConsumer, TopicPartition
    from pydantic import ValidationError

    consumer = AIOKafkaConsumer(**client, enable_auto_commit=False, group_id=None,
                                auto_offset_reset="earliest",
                                request_timeout_ms=int(timeout_s * 1000))
    letters: list[Letter] = []
    broken: list[str] = []
    try:
        await consumer.start()
        # partitions_for_topic() only knows subscribed topics; the full metadata knows them all.
        cluster = await consumer._client.fetch_all_metadata()
        parts = [TopicPartition(topic, p) for topic in dlq_topics for p in sorted(cluster.partitions_for_topic(topic) or [])]
        if not parts:
            return [], []
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        if since is not None:
            starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in parts})
            for tp in parts:
                found = starts.get(tp)
                consumer.seek(tp, found.offset if found else ends[tp])
        else:  # explicit offsets: seek_to_beginning() raced the default reset to "latest" with several topics
            starts = await consumer.beginning_offsets(parts)
            for tp in parts:
                consumer.seek(tp, starts[tp])
        remaining = {tp for tp in parts if ends[tp] > await consumer.position(tp)}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while remaining and loop.time() < deadline:
            batch = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, messages in batch.items():
                for message in messages:
                    lid = letter_id(tp.topic, tp.partition, message.offset)
                    try:
                        letters.append(Letter(lid, DeadLetter.model_validate_json(message.value), message.key))
                    except (ValidationError, ValueError):
                        broken.append(lid)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    letters.sort(key=lambda item: item.letter.failed_at)
    return letters, broken
