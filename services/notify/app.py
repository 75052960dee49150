"""Notify: turn matched items into alerts for the responsible agency, once per (NIP, content).

The alert is stored first (its ``_id`` is the dedup key), its case opened for the analysts (the
dispatcher in the API process routes it), then the alert is published on ``pantau.alerts.v1``
keyed by agency code, and the publication recorded after the broker confirmed. A crash in between
re-publishes the same alert id on replay (consumers de-duplicate on it); it never creates a second
alert or loses one.
"""
from __future__ import annotations

import logging

from services.notify.alerts import alerts_for
from services.notify.domain.config import load_notify_config
from services.notify.store import NotifyStore
from shared import topics
from shared.health import add_health_routes
from shared.kafka import DeadLetterSink, make_app, parse_model, process_events, topic
from shared.mongo import LazyDatabase, already_sent, insert_once, ping, send_and_record
from shared.schemas import Alert, ContentMatched, utcnow
from shared.settings import get_settings

log = logging.getLogger("pantau.notify")
settings = get_settings()
app = make_app("notify", settings)
db = LazyDatabase(settings)
notify_config = load_notify_config()
PUBLISHED = "alerts_published"  # outbox record: this alert id is on pantau.alerts.v1

matched = topic(app, topics.CONTENT_MATCHED, settings)
alerts_topic = topic(app, topics.ALERTS, settings)
dead_letters = DeadLetterSink("notify", topics.CONTENT_MATCHED, app.topic(topics.CONTENT_MATCHED.dead_letter))


async def handle(event) -> None:
    item = parse_model(ContentMatched, bytes(event.value))
    alerts, store = db()["alerts"], NotifyStore(db())
    for alert in alerts_for(item, utcnow(), notify_config, settings.public_url):
        if not await insert_once(alerts, {"_id": alert.alert_id, **alert.model_dump(mode="json")}):
            if await already_sent(db(), PUBLISHED, alert.alert_id):
                continue  # this (NIP, content) has alerted already
            # Stored, then a crash before publishing: publish the stored version (same created_at).
            stored = await alerts.find_one({"_id": alert.alert_id})
            alert = Alert.model_validate({k: v for k, v in stored.items() if k != "_id"})
        # The case opens with the alert, before it is published (the dispatcher's intake is only a
        # safety net for what a crash left behind).
        await store.ensure_case(alert, alert.created_at)

        async def publish(alert: Alert = alert) -> None:
            value = alert.model_dump_json().encode()
            await (await alerts_topic.send(key=alert.agency_code.encode(), value=value, force=True))

        await send_and_record(db(), PUBLISHED, alert.alert_id, publish)
        log.info("alert published", extra={"fields": {"alert_id": alert.alert_id, "agency": alert.agency_code}})


@app.agent(matched, concurrency=settings.agent_concurrency)
async def notify_agencies(stream):
    await process_events(stream, handle, dead_letters)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
