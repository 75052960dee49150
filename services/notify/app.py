"""Notify: turn matched items into alerts for the responsible agency, once per (NIP, content).

The alert document is stored first (its ``_id`` is the dedup key), then published on
``pantau.alerts.v1`` keyed by agency code, and marked published only after the broker confirmed.
A crash between the two re-publishes the same alert id (consumers de-duplicate on it); it never
creates a second alert or loses one.
"""
from __future__ import annotations

import logging

from services.notify.alerts import alerts_for
from services.notify.domain.config import load_notify_config
from shared import topics
from shared.health import add_health_routes
from shared.kafka import DeadLetterSink, make_app, parse_model, process_events, topic
from shared.mongo import LazyDatabase, insert_once, ping
from shared.schemas import Alert, ContentMatched, utcnow
from shared.settings import get_settings

log = logging.getLogger("pantau.notify")
settings = get_settings()
app = make_app("notify", settings)
db = LazyDatabase(settings)
notify_config = load_notify_config()

matched = topic(app, topics.CONTENT_MATCHED, settings)
alerts_topic = topic(app, topics.ALERTS, settings)
dead_letters = DeadLetterSink("notify", topics.CONTENT_MATCHED, app.topic(topics.CONTENT_MATCHED.dead_letter))


async def handle(event) -> None:
    item = parse_model(ContentMatched, bytes(event.value))
    alerts = db()["alerts"]
    for alert in alerts_for(item, utcnow(), notify_config, settings.public_url):
        document = {"_id": alert.alert_id, **alert.model_dump(mode="json"), "published": False}
        if not await insert_once(alerts, document):
            existing = await alerts.find_one({"_id": alert.alert_id})
            if existing.get("published"):
                continue
            # Stored before a crash but never confirmed sent: publish the stored version as is.
            alert = Alert.model_validate({k: v for k, v in existing.items() if k not in ("_id", "published")})
        payload = alert.model_dump_json().encode()
        await (await alerts_topic.send(key=alert.agency_code.encode(), value=payload, force=True))
        await alerts.update_one({"_id": alert.alert_id}, {"$set": {"published": True}})
        log.info("alert published", extra={"fields": {"alert_id": alert.alert_id, "agency": alert.agency_code}})


@app.agent(matched)
async def notify_agencies(stream):
    await process_events(stream, handle, dead_letters)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
