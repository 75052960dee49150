"""Store alerts the way production does: through the notify stage's own handler, Kafka left out.

``services.notify.app.notify`` builds the alerts from matched items, stores them, opens their cases
and logs them (``shared.alert_log``); only the final publish is caught here. Its database client
belongs to the first event loop that uses it: call ``notify_items`` inside one ``asyncio.run``.
"""
from __future__ import annotations

from shared.schemas import ContentMatched, ContentRecord
from shared.stage import Batch, Item, Outgoing, Received
from tests.unit.notify.conftest import make_alert


def matched(agency: str, external_id: str, nip: str = "198503122010012004") -> ContentMatched:
    """A partisan post matched to one civil servant of ``agency``: one alert."""
    alert = make_alert(agency_code=agency, external_id=external_id, nip=nip)
    record = ContentRecord(source=alert.content.source, external_id=external_id, url=alert.content.url,
                           text=alert.content.excerpt, published_at=alert.content.published_at)
    return ContentMatched(content_id=alert.content.content_id, evidence_sha256=alert.content.evidence_sha256,
                          record=record, classification=alert.classification, matches=[alert.match],
                          registry_version=alert.registry_version)


async def notify_items(items: list[ContentMatched]) -> list[Outgoing]:
    """One notify batch over ``items``; what it would have published."""
    from services.notify.app import notify

    sent: list[Outgoing] = []

    async def publish(records) -> None:
        sent.extend(records)

    await notify(Batch([Item(m, Received(m.model_dump_json().encode())) for m in items], publish))
    return sent
