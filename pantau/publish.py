"""Publishing content records to the ingest topic, as an upstream system does.

``check_lines`` validates every line against content record v1 first (the same
``shared.kafka.parse_model`` ingest uses), so `pantau submit` can say which lines are bad and why
before anything is sent.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer

from shared.kafka_client import client_options
from shared.schemas import content_id_for
from shared.settings import Settings
from shared.topics import CONTENT_SUBMITTED


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    fields: list[str] = field(default_factory=list)
    external_id: str | None = None

    def as_dict(self) -> dict:
        return {"line": self.line, "external_id": self.external_id, "reason": self.reason, "fields": self.fields}


@dataclass
class Checked:
    valid: list[bytes] = field(default_factory=list)
    invalid: list[bytes] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    blank: int = 0


def check_lines(lines: list[bytes]) -> Checked:
    """Split lines into valid content records and rejected ones (line number, reason, fields)."""
    from shared.kafka import InvalidRecord, parse_model
    from shared.schemas import ContentRecord

    out = Checked()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            out.blank += 1
            continue
        try:
            parse_model(ContentRecord, line)
        except InvalidRecord as exc:
            external_id = None
            try:
                obj = json.loads(line)
                external_id = obj.get("external_id") if isinstance(obj, dict) else None
            except ValueError:
                pass
            out.invalid.append(line)
            out.rejected.append(Rejected(number, exc.reason, list(exc.fields),
                                         None if external_id is None else str(external_id)))
        else:
            out.valid.append(line)
    return out


def _key(line: bytes) -> bytes | None:
    try:
        record = json.loads(line)
        return content_id_for(str(record["source"]).strip().lower(), str(record["external_id"])).encode()
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # ingest will dead-letter it with the reason


async def publish_lines(settings: Settings, lines: list[bytes], topic: str = CONTENT_SUBMITTED.name,
                        keys: list[bytes | None] | None = None) -> int:
    producer = AIOKafkaProducer(**client_options(settings), acks="all", enable_idempotence=True)
    try:
        await producer.start()
        count = 0
        for index, line in enumerate(lines):
            if line.strip():
                key = keys[index] if keys is not None else _key(line)
                await producer.send(topic, value=line, key=key)
                count += 1
        await producer.flush()
        return count
    finally:
        await producer.stop()
