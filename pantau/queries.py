"""Read-side queries the CLI needs (alerts, summaries)."""
from __future__ import annotations

from datetime import datetime

from shared import alert_log
from shared.mongo import connect
from shared.settings import Settings


async def fetch_alerts(settings: Settings, limit: int, since: datetime | None = None,
                       before: alert_log.Cursor | None = None, agency: str | None = None) -> alert_log.Found:
    """Newest first, from the alert log (never the ``alerts`` collection: FerretDB reads all of it)."""
    client, db = connect(settings)
    try:
        return await alert_log.newest(db, limit, since=since, before=before, agency=agency)
    finally:
        await client.close()
