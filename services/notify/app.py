"""Notify: turn matched items into alerts for the responsible agency, once per (NIP, content).

A batch at a time, insert-only. The batch's in-flight mark goes in first, then the alerts (the
insert is the duplicate check: ``_id`` = alert id), then their cases are opened for the analysts,
then the alerts are published on ``pantau.alerts.v1`` keyed by agency code, and the mark deleted
once the broker confirmed. An alert already stored and named by an older mark was interrupted by a
crash: the stored body is published again under the same id (consumers de-duplicate on it). An
alert already stored and not in flight has been published: nothing is sent.
"""
from __future__ import annotations

import logging

from services.notify.alerts import alerts_for
from services.notify.domain.config import load_notify_config
from services.notify.store import NotifyStore
from shared import topics
from shared.alert_log import AlertLog
from shared.health import add_health_routes
from shared.kafka import batch_agent, make_app
from shared.mongo import InFlight, LazyDatabase, find_ids, insert_new, ping
from shared.schemas import ContentMatched, utcnow
from shared.settings import get_settings
from shared.stage import Batch, Outgoing
from shared.stored import StoredAlert

log = logging.getLogger("pantau.notify")
settings = get_settings()
app = make_app("notify", settings)
db = LazyDatabase(settings)
notify_config = load_notify_config()
IN_FLIGHT = "alerts_in_flight"  # small: one mark per batch being published (shared.mongo.InFlight)
alert_log = AlertLog()  # what `pantau alerts` reads (shared.alert_log: why)


async def notify(batch: Batch[ContentMatched]) -> None:
    now = utcnow()
    drafts = {alert.alert_id: alert for item in batch.items
              for alert in alerts_for(item.model, now, notify_config, settings.public_url)}
    if not drafts:
        return
    in_flight = InFlight(db()[IN_FLIGHT])
    await in_flight.begin(drafts)
    stored_before = await insert_new(db()[StoredAlert.COLLECTION], [StoredAlert.of(alert).document() for alert in drafts.values()])
    # Interrupted by a crash after storing, perhaps before publishing: publish the stored version
    # (same created_at). Read from the big collection only then, never in normal operation.
    interrupted = in_flight.interrupted(stored_before)
    resumed = {alert_id: StoredAlert.from_document(doc).alert()
               for alert_id, doc in (await find_ids(db()[StoredAlert.COLLECTION], interrupted)).items()}
    publish = [resumed.get(alert_id, alert) for alert_id, alert in drafts.items()
               if alert_id not in stored_before or alert_id in resumed]
    # Logged, then the case opens (its route work names the alert's log page), before it is published
    # (the dispatcher's intake is only a safety net for what a crash left behind).
    logged = await alert_log.append(db(), publish)
    await NotifyStore(db()).ensure_cases(publish, now, logged)
    await batch.publish([
        Outgoing(topics.ALERTS.name, alert.agency_code.encode(), alert.model_dump_json().encode()) for alert in publish
    ])
    await in_flight.end(drafts)
    if publish:  # one line per batch: a line per alert costs more than the alert at election volume
        log.info("alerts published", extra={"fields": {
            "count": len(publish), "resumed": len(resumed), "agencies": sorted({a.agency_code for a in publish})[:20],
            "first_alert_id": publish[0].alert_id}})


batch_agent(app, "notify", topics.CONTENT_MATCHED, ContentMatched, notify, settings)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
