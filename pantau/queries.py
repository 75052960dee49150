"""Read-side queries the CLI needs (alerts, summaries), and running a command's work against the store."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from shared import alert_log
from shared.mongo import connect
from shared.settings import Settings, get_settings

T = TypeVar("T")


def run_with_store(work: Callable[..., Awaitable[T]]) -> T:
    """``work(db)`` against the store of the current settings: reachable first (or one line saying so), one
    client for the call, closed after."""
    from pantau.errors import require_store

    settings = get_settings()
    require_store(settings)

    async def go() -> T:
        client, db = connect(settings)
        try:
            return await work(db)
        finally:
            await client.close()

    return asyncio.run(go())


async def fetch_alerts(settings: Settings, limit: int, since: datetime | None = None,
                       before: alert_log.Cursor | None = None, agency: str | None = None) -> alert_log.Found:
    """Newest first, from the alert log (never the ``alerts`` collection: FerretDB reads all of it)."""
    client, db = connect(settings)
    try:
        return await alert_log.newest(db, limit, since=since, before=before, agency=agency)
    finally:
        await client.close()
