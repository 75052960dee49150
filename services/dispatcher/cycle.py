"""The notify dispatcher's cycle: cases -> routed items -> grouped, de-duplicated, delivered notifications.

One cycle (``run_once``), under a MongoDB lease so only one dispatcher sends at a time:
 1. intake: every stored alert gets its case (a safety net run once per period; the faust agent
    creates the case when it stores the alert);                                   ``case_steps``
 2. route new cases (event ``suspected``); auto-forward when a route allows it;
 3. forward verified cases (event ``forwarded``); 4. escalate forwarded-but-unacknowledged cases;
    publish what each agency may see to its own topic (``agency_feed``);
 5. recover: re-send notification-log entries left ``pending`` by a crash (same body, same key);
 6. flush due groups: silences, inhibition, flood limits, grouping timers (``flush``, pure) -> a batch
    -> log entry written ``pending`` -> items claimed -> send -> ``sent`` / ``failed`` (+ dead-letter
    record) (``sending``, through ``channels``).

Working set (``working_set``; FerretDB scans a whole collection for every filter): steps 2-4 read
only the small ``notify_work`` collection plus one ``$in`` read of the cases it names; step 6 works
on the open items held in memory. A cycle's store traffic therefore grows with what is *due*, not
with the backlog.

Guarantee (say it precisely): every batch gets its notification-log key *before* any byte is sent,
and its items are claimed by that key, so after a kill -9 at any point the restarted dispatcher
re-sends exactly the stored body under the same key and never puts those items into a different
notification. On the wire this is at-least-once per key: if the process dies after the receiver
accepted the request but before the log says ``sent``, that one request is repeated once with the
same ``Idempotency-Key`` — a receiver that stores the key sees each notification exactly once.
No batch is lost: a ``pending`` entry is retried until ``sent`` or, when the retry budget is spent,
``failed`` with a record in ``notify_failures`` for operators.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from services.notify.domain.config import NotifyConfig
from services.notify.store import NotifyStore
from shared.schemas import utcnow

from .agency_feed import AgencyFeed, FeedPublisher
from .budget import RetryBudget
from .case_steps import CaseSteps
from .channels.base import Channels
from .flush import plan_flush, routes_by_name
from .sending import Sender
from .working_set import WorkingSet

log = logging.getLogger("pantau.dispatcher")
LEASE = "dispatcher"


class Dispatcher:
    def __init__(
        self,
        store: NotifyStore,
        config: NotifyConfig,
        channels: Channels,
        *,
        public_url: str,
        owner: str,
        retry_budget: RetryBudget,
        lease_ttl: timedelta = timedelta(seconds=30),
        concurrency: int = 8,
        safety_net_period: timedelta = timedelta(seconds=60),
        feed: FeedPublisher | None = None,
    ):
        self.store = store
        self.config = config
        self.channels = channels
        self.owner = owner
        self.lease_ttl = lease_ttl
        self.working = WorkingSet(store, config)
        self.steps = CaseSteps(store, config, self.working, AgencyFeed(store, feed, public_url) if feed else None)
        self.sender = Sender(store, config, self.working, channels, public_url=public_url,
                             retry_budget=retry_budget, concurrency=concurrency)
        self._routes = routes_by_name(config)
        # Steps that only catch up after a crash or act on a scale of days run every
        # ``safety_net_period``, not every cycle: on FerretDB each of their queries reads a whole
        # collection, and running them each second halved the pipeline's throughput.
        self._safety_net_period = safety_net_period
        self._last_run: dict[str, datetime] = {}
        self._compactor: asyncio.Task | None = None

    # ------------------------------------------------------------------ lifecycle
    async def close(self) -> None:
        await self.wait_compacted()
        await self.channels.close()

    async def wait_compacted(self) -> None:
        if self._compactor is not None:
            await self._compactor

    async def run_forever(self, interval: float = 1.0, stop: asyncio.Event | None = None,
                          on_cycle: Callable[[], None] = lambda: None) -> None:
        """Cycle every ``interval`` seconds until ``stop``; ``on_cycle`` hears of each one that worked."""
        stop = stop or asyncio.Event()
        await self.store.ensure_indexes()
        while not stop.is_set():
            try:
                await self.run_once()
                on_cycle()
            except Exception:  # noqa: BLE001 - the loop must survive; the next cycle retries
                self.working.loaded = False  # an aborted cycle may have left memory behind the store
                log.exception("dispatcher cycle failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except asyncio.TimeoutError:
                pass
        await self.store.release_lease(LEASE, self.owner)

    async def _renew(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.lease_ttl.total_seconds() / 3)
            except asyncio.TimeoutError:
                await self.store.acquire_lease(LEASE, self.owner, utcnow(), self.lease_ttl)

    # ------------------------------------------------------------------ one cycle
    async def run_once(self, now: datetime | None = None) -> dict[str, Any]:
        """One cycle under the lease; only the lease holder works (so only one sends)."""
        now = now or utcnow()
        if not await self.store.acquire_lease(LEASE, self.owner, now, self.lease_ttl):
            self.working.loaded = False  # another dispatcher may change items meanwhile
            return {"leader": False}
        stop = asyncio.Event()
        renewer = asyncio.create_task(self._renew(stop))
        try:
            return {"leader": True, **await self._steps(now)}
        finally:
            stop.set()
            await renewer

    async def _steps(self, now: datetime) -> dict[str, int]:
        if not self.working.loaded:
            await self.working.reload(now)
        elif self._due("sources", now):
            await self.working.refresh_sources()
        created = 0
        if self._due("intake", now):
            # the first run after start reconciles every alert; later runs look back a few periods
            since = now - 3 * self._safety_net_period if "intake_full" in self._last_run else None
            created = await self.steps.intake(now, since)
            self._last_run["intake_full"] = now
        if self._due("resync", now):
            await self.steps.resync_work()
        routed, forwarded, escalated = await self.steps.run(now)
        recovered = await self.sender.recover_pending(now) if self._due("recover", now) else 0
        sent = await self.flush_groups(now)
        if self.working.to_compact and self._due("compact", now) and (self._compactor is None or self._compactor.done()):
            # off the cycle: each delete scans the open collection (seconds at a large backlog)
            self._compactor = asyncio.create_task(self.working.compact())
        return {"cases_created": created, "routed": routed, "forwarded": forwarded, "escalated": escalated,
                "recovered": recovered, "batches": sent}

    async def flush_groups(self, now: datetime) -> int:
        if not any(d.get("state") == "pending" for d in self.working.open.values()):
            return 0
        plan = plan_flush(self.working, await self.store.active_silences(now), now, self._routes)
        return await self.sender.carry_out(plan, now)

    def _due(self, step: str, now: datetime) -> bool:
        """True on the first cycle and then once per safety-net period (``now`` may be simulated)."""
        last = self._last_run.get(step)
        if last is not None and timedelta(0) <= now - last < self._safety_net_period:
            return False
        self._last_run[step] = now
        return True
