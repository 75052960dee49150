"""Publishing content records to the ingest topic, as an upstream system does."""
from __future__ import annotations

import json

from aiokafka import AIOKafkaProducer

from shared.schemas import content_id_for
from shared.settings import Settings
from shared.topics import CONTENT_SUBMITTED


def _key(line: bytes) -> bytes | None:
    try:
        record = json.loads(line)
        return content_id_for(str(record["source"]).strip().lower(), str(record["external_id"])).encode()
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # ingest will dead-letter it with the reason


async def publish_lines(settings: Settings, lines: list[bytes]) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        count = 0
        for line in lines:
            if line.strip():
                await producer.send(CONTENT_SUBMITTED.name, value=line, key=_key(line))
                count += 1
        await producer.flush()
        return count
    finally:
        await producer.stop()
