"""The retention run, once a period, by whichever dispatcher holds the ``retention`` lease.

Why the dispatcher: it is the stack's one process that already works on a clock and under a lease.
The run itself (``shared.retention_run``) is the same as `pantau retention run`; topic retention is
left to the operator's command and to topic creation (a service's principal may not alter topics).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from services.notify.store import NotifyStore
from shared.retention import RetentionPolicy
from shared.retention_run import run
from shared.schemas import utcnow

log = logging.getLogger("pantau.retention")
LEASE = "retention"


async def run_periodically(store: NotifyStore, policy: RetentionPolicy, owner: str, every: timedelta,
                           stop: asyncio.Event) -> None:
    """First run a minute after start (not in the start-up rush), then every ``every``."""
    delay = min(60.0, every.total_seconds())
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return
        except asyncio.TimeoutError:
            pass
        delay = every.total_seconds()
        try:
            if await store.acquire_lease(LEASE, owner, utcnow(), every / 2):
                await run(store.db, policy)
        except Exception:  # noqa: BLE001 - a failed run is logged and tried again next period
            log.exception("retention run failed; retried next period")
