"""`pantau match rescreen --since DATE`: the adapter that runs ``worker.rescreen`` outside the service.

Loads the active registry version from MongoDB (as the service does), publishes new results to the
matched topic with its own producer, and waits for every acknowledgement.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from aiokafka import AIOKafkaProducer

from services.match import registry_store
from services.match.worker import RescreenReport, build_engine, rescreen
from shared.judgements import load_judgements
from shared.kafka_client import client_options
from shared.mongo import connect
from shared.settings import Settings
from shared.stage import Outgoing


async def run_rescreen(settings: Settings, since: datetime,
                       progress: Callable[[str], None] = lambda text: None) -> RescreenReport:
    client, db = connect(settings)
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    try:
        version = await registry_store.active_version(db)
        if version is None:
            raise LookupError("no active registry version: run `pantau registry import REG.csv` first")
        progress(f"loading registry version {version} ...")
        engine = await asyncio.to_thread(build_engine, settings.mongodb_uri, version)
        progress(f"{engine.size:,} people loaded; re-screening")
        await producer.start()

        async def publish(messages: Sequence[Outgoing]) -> None:
            pending = [await producer.send(m.topic, m.value, key=m.key) for m in messages]
            await asyncio.gather(*pending)

        return await rescreen(db, engine, since, publish, await load_judgements(db))
    finally:
        await producer.stop()
        await client.close()
