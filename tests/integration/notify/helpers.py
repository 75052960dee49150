from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import uvicorn

from services.agency_api.api import create_app
from services.agency_api.auth import key_document, new_key
from services.dispatcher.budget import RetryBudget
from services.dispatcher.channels.base import Channels
from services.dispatcher.channels.email import EmailChannel, SmtpConfig
from services.dispatcher.channels.kafka import KafkaChannel, LazyProducer
from services.dispatcher.channels.retry import RetryPolicy
from services.dispatcher.channels.webhook import WebhookChannel
from services.dispatcher.cycle import Dispatcher
from services.notify.store import NotifyStore
from shared.kafka_client import client_options
from shared.alert_log import AlertLog
from shared.pages import insert_rows
from shared.schemas import Alert, Classification, ContentClassified, ContentRecord, utcnow
from shared.stored import StoredClassification, StoredContent
from tests.local_servers import free_port


async def put_alert(db, alert: Alert) -> None:
    """How the notify faust agent stores an alert, logs it and opens its case (the route work names the
    alert's log page, where the dispatcher reads it)."""
    store = NotifyStore(db)
    await store.insert_alert(alert)
    await store.ensure_cases([alert], alert.created_at, await AlertLog().append(db, [alert]))


async def put_post(db, record: ContentRecord, classification: Classification) -> ContentClassified:
    """Store a post as classify stores a partisan one (through the writers, ``shared.stored``)."""
    raw, now = record.model_dump_json(exclude_defaults=True).encode(), utcnow()
    content = StoredContent.of(record, raw, now, classification)
    item = ContentClassified(content_id=content.content_id, evidence_sha256=content.evidence_sha256, record=record,
                             classification=classification)
    await insert_rows(db[content.collection()], [content.row()], time_field=StoredContent.TIME_FIELD)
    stored = StoredClassification.of(content.content_id, classification, now, sent=True)
    await insert_rows(db[StoredClassification.COLLECTION], [stored.row()], time_field=StoredClassification.TIME_FIELD)
    return item


def channels(setup, settings) -> Channels:
    """The real channels with quick retries (the suite's receiver, SMTP server and Kafka)."""
    return Channels([
        WebhookChannel(RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.1, max_elapsed=10, timeout=2)),
        EmailChannel(SmtpConfig(host="127.0.0.1", port=setup["smtp_port"]), RetryPolicy(max_attempts=2, base_delay=0.01)),
        KafkaChannel(LazyProducer(client_options(settings))),
    ])


def dispatcher(db, setup, settings, **kw) -> Dispatcher:
    return Dispatcher(
        NotifyStore(db), setup["config"], channels(setup, settings), public_url="http://127.0.0.1:18080",
        owner="it-dispatcher",
        **{"retry_budget": RetryBudget(hours=1e-4), **kw},  # no later rounds: a failure is final at once
    )


async def make_key(db, agency: str, role: str = "agency", label: str = "") -> str:
    key, key_id = new_key()
    await db["api_keys"].insert_one(key_document(key, key_id, agency, role, label or f"{role}-{agency}"))
    return key


@asynccontextmanager
async def api_server(db, config, **state):
    """The agency API in this event loop; ``state`` overrides ``app.state`` entries (e.g. throttle)."""
    app = create_app(config=config, db=db)
    for name, value in state.items():
        setattr(app.state, name, value)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def bodies(requests) -> list[dict]:
    return [json.loads(r["body"]) for r in requests]


def case_ids(payload: dict) -> list[str]:
    return [i["case_id"] for i in payload["items"]]


async def create_topic(settings, name: str, partitions: int = 2) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()
