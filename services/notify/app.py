"""Notify: turn matched items into alerts for the responsible agency, once per (NIP, content).

A batch at a time, insert-only. The alerts' in-flight marks (with the alert body) go in first, then
the alerts (the insert is the duplicate check: ``_id`` = alert id), then their cases are opened for
the analysts, then the alerts are published on ``pantau.alerts.v1`` keyed by agency code, and the
marks deleted once the broker confirmed. An alert already stored and still marked in flight was
interrupted by a crash: the stored body is published again under the same id (consumers
de-duplicate on it). An alert already stored and not in flight has been published: nothing is sent.
"""
from __future__ import annotations

import logging

from services.notify.alerts import alerts_for
from services.notify.domain.config import load_notify_config
from services.notify.store import NotifyStore
from shared import topics
from shared.health import add_health_routes
from shared.kafka import batch_agent, make_app
from shared.mongo import LazyDatabase, delete_ids, find_ids, insert_new, ping
from shared.schemas import Alert, ContentMatched, utcnow
from shared.settings import get_settings
from shared.stage import Batch, Outgoing

log = logging.getLogger("pantau.notify")
settings = get_settings()
app = make_app("notify", settings)
db = LazyDatabase(settings)
notify_config = load_notify_config()
IN_FLIGHT = "alerts_in_flight"  # small: alerts being published, with their body; deleted after


async def notify(batch: Batch[ContentMatched]) -> None:
    now = utcnow()
    drafts = {alert.alert_id: alert for item in batch.items
              for alert in alerts_for(item.model, now, notify_config, settings.public_url)}
    if not drafts:
        return
    in_flight = db()[IN_FLIGHT]
    interrupted = await insert_new(in_flight, [
        {"_id": alert_id, "alert": alert.model_dump(mode="json")} for alert_id, alert in drafts.items()
    ])
    stored_before = await insert_new(db()["alerts"], [
        {"_id": alert_id, **alert.model_dump(mode="json")} for alert_id, alert in drafts.items()
    ])
    resumed = {alert_id: Alert.model_validate(doc["alert"])
               for alert_id, doc in (await find_ids(in_flight, stored_before & interrupted)).items()}
    publish = [resumed.get(alert_id, alert) for alert_id, alert in drafts.items()
               if alert_id not in stored_before or alert_id in resumed]
    # The case opens with the alert, before it is published (the dispatcher's intake is only a
    # safety net for what a crash left behind).
    await NotifyStore(db()).ensure_cases(publish, now)
    await batch.publish([
        Outgoing(topics.ALERTS.name, alert.agency_code.encode(), alert.model_dump_json().encode()) for alert in publish
    ])
    await delete_ids(in_flight, drafts)
    for alert in publish:
        log.info("alert published", extra={"fields": {"alert_id": alert.alert_id, "agency": alert.agency_code}})


batch_agent(app, "notify", topics.CONTENT_MATCHED, ContentMatched, notify, settings)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
