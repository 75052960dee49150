"""Read-side queries the CLI needs (alerts, summaries)."""
from __future__ import annotations

from typing import Any

from shared.mongo import connect
from shared.settings import Settings


async def fetch_alerts(settings: Settings, agency: str | None = None) -> list[dict[str, Any]]:
    client, db = connect(settings)
    try:
        query = {"agency_code": agency} if agency else {}
        rows = await db["alerts"].find(query, {"_id": 0}).sort("created_at", 1).to_list(None)
        return rows
    finally:
        await client.close()
