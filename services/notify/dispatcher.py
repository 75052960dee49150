"""The notify dispatcher: cases -> routed items -> grouped, de-duplicated, delivered notifications.

One cycle (``run_once``), under a MongoDB lease so only one dispatcher sends at a time:
 1. intake: every stored alert gets its case (a safety net run once per period; the faust agent
    creates the case when it stores the alert);
 2. route new cases (event ``suspected``); auto-forward when a route allows it;
 3. forward verified cases (event ``forwarded``); 4. escalate forwarded-but-unacknowledged cases;
 5. recover: re-send notification-log entries left ``pending`` by a crash (same body, same key);
 6. flush due groups: silences, inhibition, flood limits, grouping timers -> a batch -> log entry
    written ``pending`` -> items claimed -> send -> ``sent`` / ``failed`` (+ dead-letter record).

Working set (FerretDB scans a whole collection for every filter): steps 2-4 read only the small
``notify_work`` collection plus one ``$in`` read of the cases it names; step 6 works on the open
items held in memory, loaded once when the lease is won and again once per safety-net period
(``reload``), and kept current by this dispatcher, the only writer of items. Finished items move to
an archive the cycle never reads. A cycle's store traffic therefore grows with what is *due*, not
with the backlog. ``reload`` also finishes what a crash interrupted: items left ``sending`` whose
log entry says ``sent``/``failed`` are finished, so no item stays in a state nobody resumes.

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
import json
import logging
import os
import socket
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from services.notify.delivery import budget
from services.notify.delivery.budget import RetryBudget
from services.notify.delivery.email import EmailSender, render_email
from services.notify.delivery.payload import NotificationItem, build_payload, payload_bytes
from services.notify.delivery.retry import DeliveryResult, RetryPolicy
from services.notify.delivery.secrets import read_secret
from services.notify.delivery.webhook import WebhookSender
from services.notify.domain import cases as wf
from services.notify.domain.config import NotifyConfig
from services.notify.domain.evaluate import plan_for_labels
from services.notify.domain.flood import apply_flood_limits
from services.notify.domain.grouping import GroupState, PendingItem, Timers, next_batch
from services.notify.domain.inhibit import inhibited_by
from services.notify.domain.labels import alert_labels, with_event
from services.notify.domain.recipients import Target
from services.notify.domain.routing import Route
from services.notify.domain.silences import silenced_by
from services.notify.domain.summary import alert_summary
from services.notify.store import NotifyStore, item_key
from services.notify.settings import get_notify_settings
from shared import metrics
from shared.logging import log_event
from shared.schemas import Alert, utcnow
from shared.settings import Settings

log = logging.getLogger("pantau.notify.dispatcher")
LEASE = "dispatcher"
OPEN_FOR_REMINDER = {"forwarded", "new", "verified"}
WORK_PER_CYCLE = 500


def default_owner(port: int | None = None) -> str:
    return get_notify_settings().instance or f"{socket.gethostname()}:{port or os.getpid()}"


def dispatcher_for(store: NotifyStore, config: NotifyConfig, settings: Settings) -> Dispatcher:
    """The dispatcher as the API process and ``python -m services.notify.dispatcher`` run it."""
    return Dispatcher(store, config, public_url=settings.public_url, kafka_bootstrap=settings.kafka_bootstrap_servers,
                      owner=default_owner(settings.api_port),
                      lease_ttl=timedelta(seconds=get_notify_settings().lease_s))


class Dispatcher:
    def __init__(
        self,
        store: NotifyStore,
        config: NotifyConfig,
        *,
        public_url: str,
        webhook: WebhookSender | None = None,
        email: EmailSender | None = None,
        kafka_bootstrap: str | None = None,
        owner: str | None = None,
        lease_ttl: timedelta = timedelta(seconds=30),
        concurrency: int = 8,
        safety_net_period: timedelta = timedelta(seconds=60),
        budget: RetryBudget | None = None,
    ):
        # Retry rounds over hours (kept in the log entry, so across restarts), beyond the sender's
        # quick in-call retries: a receiver down for an afternoon still gets its notification.
        self.budget = budget or RetryBudget.from_env()
        self.store = store
        self.config = config
        self.public_url = public_url
        self.webhook = webhook or WebhookSender(policy=RetryPolicy())
        self.email = email or EmailSender()
        self.kafka_bootstrap = kafka_bootstrap
        self.owner = owner or default_owner()
        self.lease_ttl = lease_ttl
        self._sem = asyncio.Semaphore(concurrency)
        self._producer = None
        self._routes: dict[str, Route] = {r.name: r for r in config.tree.walk()}
        # Steps that only catch up after a crash or act on a scale of days run every
        # ``safety_net_period``, not every cycle: on FerretDB each of their queries reads a whole
        # collection, and running them each second halved the pipeline's throughput.
        self._safety_net_period = safety_net_period
        self._last_run: dict[str, datetime] = {}
        self.stats: dict[str, int] = defaultdict(int)
        # the in-memory working set (see the module docstring)
        self._loaded = False
        self._open: dict[str, dict] = {}  # item doc id -> pending item
        self._claimed: dict[str, dict] = {}  # item doc id -> item in a logged batch not yet finished
        self._to_compact: list[str] = []  # archived items still in the open collection
        self._compactor: asyncio.Task | None = None
        self._derived: dict[str, tuple[dict, dict]] = {}
        self._flood_cache: dict[str, list] = {}
        self._alerts: dict[str, Alert] = {}  # case id -> alert, for the cases this dispatcher moved
        self._status: dict[str, str] = {}  # case id -> status this dispatcher last wrote
        self._stale_work: set[str] = set()
        self._groups: dict[str, dict] = {}
        self._flood: list[tuple[str, datetime]] = []
        self._sources: dict[str, dict[str, dict]] = defaultdict(dict)  # nip -> case id -> source labels
        self._failures_written: set[str] = set()
        self._flood_window = max((lim.window for lim in config.routes.flood_limits), default=timedelta(0))

    # ------------------------------------------------------------------ lifecycle
    async def close(self) -> None:
        await self.wait_compacted()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        await self.webhook.aclose()

    async def run_forever(self, interval: float = 1.0, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        await self.store.ensure_indexes()
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive; the next cycle retries
                self._loaded = False  # an aborted cycle may have left memory behind the store
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

    async def run_once(self, now: datetime | None = None) -> dict[str, Any]:
        now = now or utcnow()
        if not await self.store.acquire_lease(LEASE, self.owner, now, self.lease_ttl):
            self._loaded = False  # another dispatcher may change items meanwhile
            return {"leader": False}
        stop = asyncio.Event()
        renewer = asyncio.create_task(self._renew(stop))
        try:
            if not self._loaded:
                await self.reload(now)
            elif self._due("sources", now):
                await self._refresh_sources()
            created = await self.intake(now) if self._due("intake", now) else 0
            if self._due("resync", now):
                await self.resync_work()
            routed, forwarded, escalated = await self.case_work(now)
            recovered = await self.recover_pending(now) if self._due("recover", now) else 0
            sent = await self.flush_groups(now)
            if self._to_compact and self._due("compact", now) and (self._compactor is None or self._compactor.done()):
                # off the cycle: each delete scans the open collection (seconds at a large backlog)
                self._compactor = asyncio.create_task(self._compact())
        finally:
            stop.set()
            await renewer
        return {"leader": True, "cases_created": created, "routed": routed, "forwarded": forwarded,
                "escalated": escalated, "recovered": recovered, "batches": sent}

    def _due(self, step: str, now: datetime) -> bool:
        """True on the first cycle and then once per safety-net period (``now`` may be simulated)."""
        last = self._last_run.get(step)
        if last is not None and timedelta(0) <= now - last < self._safety_net_period:
            return False
        self._last_run[step] = now
        return True

    # ------------------------------------------------------------------ 0. working set
    async def reload(self, now: datetime) -> None:
        """Read the open items, groups, flood counters and inhibition sources once (when the lease
        is won, and after a cycle failed); afterwards this dispatcher, the only writer of items,
        keeps them current in memory. Finishes what a crash interrupted: an item whose log entry is
        ``pending`` is claimed (``recover_pending`` re-sends it under its key), one already archived
        is compacted away, and one left by the older layout in ``sending`` is finished from its
        log entry's state; so no item stays in a state nobody resumes."""
        items = await self.store.open_items()
        done = await self.store.done_item_ids()
        claimed = {i for e in await self.store.log_pending() for i in e["item_doc_ids"]}
        legacy = [d for d in items if d.get("state") in ("sending", "notified", "failed") and d["_id"] not in done]
        states = await self.store.log_states({d.get("log_key") for d in legacy if d.get("log_key")})
        finish: dict[str, list[dict]] = defaultdict(list)
        self._open, self._claimed, self._to_compact = {}, {}, []
        for d in items:
            if d["_id"] in done:
                self._to_compact.append(d["_id"])
            elif d["_id"] in claimed:
                self._claimed[d["_id"]] = d
            elif d.get("state") in ("notified", "failed"):
                finish[d["state"]].append(d)
            elif d.get("state") == "sending":
                logged = states.get(d.get("log_key") or "")
                state = {"sent": "notified", "failed": "failed"}.get(logged["state"]) if logged else None
                if state:
                    finish[state].append(d)
                else:
                    self._open[d["_id"]] = {**d, "state": "pending"}
            else:
                self._open[d["_id"]] = d
        for state, docs in finish.items():
            await self.store.finish_items(docs, state, now, flood_key=self._flood_key)
            self._to_compact += [d["_id"] for d in docs]
            log_event(log, "finished items a crash left behind", state=state, count=len(docs))
        await self._compact()
        self._groups = await self.store.load_groups()
        self._flood = [(r["flood_key"], r["at"]) for r in await self.store.flood_since(now - self._flood_window)]
        if self._flood_window:
            await self.store.prune_flood(now - self._flood_window)
        await self._refresh_sources()
        self._loaded = True

    async def _refresh_sources(self) -> None:
        """Inhibition sources: open cases of the people with pending items (closed ones drop out)."""
        self._sources = defaultdict(dict)
        if self.config.routes.inhibit_rules:
            nips = {d["labels"].get("nip") for d in self._open.values() if d["labels"].get("nip")}
            for c in await self.store.open_cases_of(nips):
                self._note_source(c["nip"], c["_id"], c.get("labels") or {}, c.get("routed_events", []))

    async def _compact(self) -> None:
        ids, self._to_compact = self._to_compact, []
        try:
            await self.store.compact_items(ids)
        except Exception:  # noqa: BLE001 - archived already; the next reload compacts them
            log.exception("compaction of finished items failed")

    async def wait_compacted(self) -> None:
        if self._compactor is not None:
            await self._compactor

    def _note_source(self, nip: str | None, case_id: str, labels: dict, events) -> None:
        if nip:
            self._sources[nip][case_id] = {"labels": labels, "events": list(events)}

    def _flood_key(self, doc: dict) -> list[str]:
        """The flood-limit keys a delivered item counts against."""
        labels = {**doc["labels"], "receiver": doc["receiver"]}
        return [limit.key(labels) for limit in self.config.routes.flood_limits if limit.applies(labels)]

    # ------------------------------------------------------------------ 1. intake
    async def intake(self, now: datetime) -> int:
        """Safety net: the notify agent creates each alert's case; this finds any it missed.

        The first run after start reconciles every alert; later runs look back a few periods."""
        since = now - 3 * self._safety_net_period if self._last_run.get("intake_full") else None
        ids = await self.store.alert_ids(since)
        have = await self.store.existing_case_ids(ids)
        missing = [i for i in ids if i not in have]
        created = 0
        if missing:
            created = await self.store.ensure_cases(list((await self.store.get_alerts(missing)).values()), now)
        self._last_run["intake_full"] = now
        if created:
            log_event(log, "cases created by the safety net", count=created)
        return created

    async def resync_work(self) -> None:
        """Safety net: a work entry lost between a case write and its work insert is re-created."""
        for doc in await self.store.cases_needing_work():
            if doc.get("needs_routing"):
                await self.store.add_work("route", doc["_id"])
            elif doc.get("status") == "verified":
                await self.store.add_work("forward", doc["_id"])
            elif doc.get("status") == "forwarded" and not doc.get("escalated"):
                await self.store.add_work("escalate", doc["_id"], forwarded_at=doc.get("forwarded_at"))

    # ------------------------------------------------------------------ 2-4. case events
    async def _plan_items(self, case_id: str, base_labels: dict, event: str, now: datetime) -> Any:
        labels = with_event(base_labels, event)
        plan = plan_for_labels(self.config, labels)
        for d in plan.deliveries:
            item_id = f"{case_id}:{event}"
            if isinstance(d.target, Target):
                t = d.target
                doc = {
                    "_id": item_key(t.integration, d.group_key, item_id),
                    "item_id": item_id, "case_id": case_id, "event": event,
                    "integration": t.integration, "receiver": t.receiver, "route": d.match.route.name,
                    "group_key": d.group_key, "group_id": d.group_id, "group_labels": dict(d.group_labels),
                    "labels": dict(labels),
                    "target": {"kind": t.kind, "url": t.url, "secret_env": t.secret_env, "emails": list(t.emails),
                               "topic": t.topic, "key": t.key, "recipient_code": t.recipient_code,
                               "recipient_name": t.recipient_name, "timeout": t.timeout.total_seconds(),
                               "max_items": t.max_items, **({"note": t.note} if t.note else {})},
                    "state": "pending", "created_at": now, "flood_key": None,
                }
                if await self.store.add_item(doc):
                    self._open[doc["_id"]] = doc
            else:
                await self.store.add_failure({
                    "_id": "uf_" + item_key(d.target.integration, d.group_key, item_id)[3:],
                    "kind": "unresolved_recipient", "integration": d.target.integration,
                    "receiver": d.target.receiver, "route": d.match.route.name, "case_id": case_id,
                    "event": event, "reason": d.target.reason, "created_at": now,
                })
                log_event(log, "recipient unresolved", integration=d.target.integration, case_id=case_id,
                          reason=d.target.reason)
        return plan

    async def case_work(self, now: datetime) -> tuple[int, int, int]:
        """Steps 2-4 from the small work collection: one read of it, one ``$in`` read of cases."""
        work = await self.store.open_work()
        after = self.config.escalate_after
        route = [w for w in work if w["kind"] == "route"][:WORK_PER_CYCLE]
        forward = [w for w in work if w["kind"] == "forward"][:WORK_PER_CYCLE]
        escalate = [w for w in work if w["kind"] == "escalate"
                    and (w.get("forwarded_at") is None or w["forwarded_at"] <= now - after)][:WORK_PER_CYCLE]
        if not (route or forward or escalate):
            return 0, 0, 0
        # a route entry written with the new case carries the case and its alert (see
        # ``NotifyStore.ensure_case``): used as is unless a save with it lost the race once
        docs: dict[str, dict] = {}
        for w in route:
            if w.get("case") and w["_id"] not in self._stale_work:
                docs[w["case_id"]] = w["case"]
                self._remember_alert(w["case_id"], w.get("alert"))
        wanted = {w["case_id"] for w in route + forward + escalate} - set(docs)
        if wanted:
            docs.update(await self.store.cases_by_ids(wanted))
        done: list[str] = []
        routed = await self.route_new_cases(now, route, docs, done)
        forwarded = await self.forward_verified(now, forward, docs, done)
        escalated = await self.escalate(now, escalate, docs, done)
        await self.store.drop_work(done)
        return routed, forwarded, escalated

    async def route_new_cases(self, now: datetime, work: list[dict], docs: dict[str, dict], done: list[str]) -> int:
        count = 0
        missing = [w["case_id"] for w in work if w["case_id"] in docs and w["case_id"] not in self._alerts]
        alerts = {**{c: a for c in (w["case_id"] for w in work) if (a := self._alerts.get(c)) is not None},
                  **(await self.store.get_alerts(missing) if missing else {})}
        for w in work:
            doc = docs.get(w["case_id"])
            if doc is None or not doc.get("needs_routing"):
                done.append(w["_id"]) if doc is not None else None
                continue
            alert = alerts.get(doc["_id"])
            if alert is None:
                continue
            case = self.store.case_from(doc)
            labels = alert_labels(alert, self.config.directory, self.config.sanctions)
            labels.pop("event")
            plan = await self._plan_items(case.case_id, labels, "suspected", now)
            events = ["suspected"]
            if plan.auto_forward_route is not None and case.status == "new":
                case = wf.apply(case, "auto_forward", actor="system", role="system", now=now,
                                reason=f"rute '{plan.auto_forward_route.route.name}' mengizinkan penerusan otomatis")
                await self._plan_items(case.case_id, labels, "forwarded", now)
                events.append("forwarded")
            ok = await self.store.save_case(case, doc.get("version", 0), {
                "needs_routing": False, "labels": labels, "routed_events": events})
            if not ok:
                self._stale_work.add(w["_id"])  # changed meanwhile: read the case next cycle
            if ok:
                self._status[case.case_id] = case.status
                self._remember_alert(case.case_id, alert)
                done.append(w["_id"])
                self._note_source(doc.get("nip"), case.case_id, labels, events)
                if case.status == "forwarded":
                    await self.store.add_work("escalate", case.case_id, forwarded_at=case.forwarded_at)
            count += ok
        return count

    async def forward_verified(self, now: datetime, work: list[dict], docs: dict[str, dict], done: list[str]) -> int:
        count = 0
        for w in work:
            doc = docs.get(w["case_id"])
            if doc is None:
                continue
            if doc.get("status") != "verified":
                done.append(w["_id"])
                continue
            case = self.store.case_from(doc)
            if not doc.get("labels"):
                continue  # not routed yet; next cycle
            await self._plan_items(case.case_id, doc["labels"], "forwarded", now)
            case = wf.apply(case, "forward", actor="system", role="system", now=now,
                            reason="diteruskan setelah verifikasi analis")
            events = sorted(set(doc.get("routed_events", [])) | {"forwarded"})
            ok = await self.store.save_case(case, doc.get("version", 0), {"routed_events": events})
            if ok:
                self._status[case.case_id] = case.status
                done.append(w["_id"])
                self._note_source(doc.get("nip"), case.case_id, doc["labels"], events)
                await self.store.add_work("escalate", case.case_id, forwarded_at=case.forwarded_at)
            count += ok
        return count

    async def escalate(self, now: datetime, work: list[dict], docs: dict[str, dict], done: list[str]) -> int:
        after = self.config.escalate_after
        count = 0
        for w in work:
            doc = docs.get(w["case_id"])
            if doc is None:
                continue
            if doc.get("status") != "forwarded" or doc.get("escalated"):
                done.append(w["_id"])
                continue
            case = self.store.case_from(doc)
            if not wf.escalation_due(case, after, now):
                continue
            await self._plan_items(case.case_id, doc.get("labels") or {}, "escalated", now)
            case = wf.escalate(case, after, now)
            events = sorted(set(doc.get("routed_events", [])) | {"escalated"})
            ok = await self.store.save_case(case, doc.get("version", 0), {"routed_events": events})
            if ok:
                done.append(w["_id"])
                self._note_source(doc.get("nip"), case.case_id, doc.get("labels") or {}, events)
            count += ok
        return count

    # ------------------------------------------------------------------ 5. recovery
    async def recover_pending(self, now: datetime) -> int:
        entries = [e for e in await self.store.log_pending() if budget.due(e, now)]
        work = []
        for entry in entries:
            ids = entry["item_doc_ids"]
            missing = [i for i in ids if i not in self._claimed and i not in self._open]
            found = {d["_id"]: d for d in await self.store.items_by_ids(missing)} if missing else {}
            docs = [self._claimed.get(i) or self._open.get(i) or found.get(i) for i in ids]
            docs = [d for d in docs if d is not None]
            for d in docs:
                self._open.pop(d["_id"], None)
                self._claimed[d["_id"]] = d
            log_event(log, "re-sending pending notification after restart", key=entry["_id"],
                      integration=entry["integration"], group_id=entry["group_id"])
            work.append(self._send_logged(entry, now, docs))
        await asyncio.gather(*work)
        return len(entries)

    # ------------------------------------------------------------------ 6. grouping and delivery
    def _timers(self, route_name: str) -> Timers:
        route = self._routes.get(route_name) or self.config.tree
        return Timers(route.group_wait, route.group_interval, route.repeat_interval)

    def _remember_alert(self, case_id: str, alert) -> None:
        if alert is None:
            return
        if len(self._alerts) > 50_000:  # bounded: a miss only costs one read
            self._alerts.clear()
            self._status.clear()
        self._alerts[case_id] = alert if isinstance(alert, Alert) else Alert.model_validate(alert)

    def _labels_of(self, p: dict) -> tuple[dict, dict]:
        """(silence labels, flood labels) of an item: fixed per item, so computed once (CPU per
        cycle matters with tens of thousands of held items)."""
        cached = self._derived.get(p["_id"])
        if cached is None:
            flood = {**p["labels"], "receiver": p["receiver"]}
            cached = self._derived[p["_id"]] = ({**flood, "recipient": p["target"].get("recipient_code", "")}, flood)
        return cached

    def _flood_keys_of(self, p: dict) -> list:
        cached = self._flood_cache.get(p["_id"])
        if cached is None:
            labels = self._labels_of(p)[1]
            cached = self._flood_cache[p["_id"]] = [(lim, lim.key(labels)) for lim in self.config.routes.flood_limits
                                                   if lim.applies(labels)]
        return cached

    def _sources_for(self, nip: str) -> list[dict]:
        return [{**s["labels"], "event": ev, "alert_id": cid}
                for cid, s in self._sources.get(nip, {}).items() for ev in s["events"]]

    async def flush_groups(self, now: datetime) -> int:
        pending = [d for d in self._open.values() if d.get("state") == "pending"]
        if not pending:
            return 0
        silences = await self.store.active_silences(now)
        static = [s for s in self.config.routes.silences if s.active(now)]
        silences = silences + static
        rules = list(self.config.routes.inhibit_rules)
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        muted_changes: list[tuple[str, str | None]] = []
        for p in pending:
            reason = None
            if silences or rules:
                target_labels, _ = self._labels_of(p)
                muted = silenced_by(target_labels, silences, now)
                inhibition = inhibited_by(p["labels"], self._sources_for(p["labels"].get("nip", "")), rules) if rules else None
                reason = (f"silenced:{','.join(muted)}" if muted else
                          f"inhibited:{inhibition.rule}:{inhibition.source_alert_id}" if inhibition else None)
            if reason != p.get("muted_by"):
                muted_changes.append((p["_id"], reason))
                p["muted_by"] = reason
            if reason is None:
                groups[(p["integration"], p["group_key"])].append(p)
        await self.store.set_muted(muted_changes)
        # flood limits, oldest first across all groups (counters from memory, see ``reload``)
        ordered = sorted((p for g in groups.values() for p in g), key=lambda p: (p["created_at"], p["item_id"]))
        limits = list(self.config.routes.flood_limits)
        windows = {limit.name: now - limit.window for limit in limits}
        recent: dict[str, int] = {}
        for key, at in self._flood:
            since = windows.get(key.split(":", 1)[0])
            if since is not None and at >= since:
                recent[key] = recent.get(key, 0) + 1
        # Items whose flood key is already full stay deferred this cycle (counts only grow within
        # one): set them aside with dictionary look-ups; only the rest go through the ordered pass.
        held: list[tuple[str, str, str]] = []
        candidates = []
        for p in ordered:
            blocked = next(((lim.name, key) for lim, key in self._flood_keys_of(p)
                            if recent.get(key, 0) >= lim.max_items), None)
            if blocked:
                held.append((p["_id"], *blocked))
            else:
                candidates.append(p)
        decision = apply_flood_limits([(p["_id"], self._labels_of(p)[1]) for p in candidates], limits, recent)
        allowed = set(decision.allowed)
        for _, limit_name, key in decision.deferred + held:
            fid = f"fl_{key}_{now:%Y%m%d%H}"
            if fid in self._failures_written:
                continue
            self._failures_written.add(fid)
            await self.store.add_failure({"_id": fid, "kind": "flood_limited",
                                          "limit": limit_name, "flood_key": key, "created_at": now,
                                          "reason": "flood limit reached; items deferred, not dropped"})
        planned = []
        for (integration, group_key), docs in groups.items():
            docs = [d for d in docs if d["_id"] in allowed]
            if not docs:
                continue
            gid = docs[0]["group_id"]
            gdoc = self._groups.get(gid) or {}
            state = GroupState(integration, group_key, gdoc.get("last_sent_at"),
                               frozenset(gdoc.get("sent_item_ids", [])),
                               gdoc.get("reminders_sent", 0), gdoc.get("backlog", False))
            timers = self._timers(docs[0]["route"])
            batch = next_batch(state, [PendingItem(d["item_id"], d["case_id"], d["event"], d["created_at"]) for d in docs],
                               timers, now, max_items=docs[0]["target"].get("max_items"))
            if batch is None:
                continue
            by_item = {d["item_id"]: d for d in docs}
            chosen = [by_item[i] for i in batch.item_ids if i in by_item]
            planned.append((batch, chosen, gid, gdoc))
        if not planned:
            return 0
        case_ids = {d["case_id"] for _, chosen, _, _ in planned for d in chosen}
        # alerts and statuses from memory (this dispatcher routed and moved these cases); the
        # store is read only for what it does not know (after a restart)
        missing = [c for c in case_ids if c not in self._alerts]
        alerts = {c: self._alerts[c] for c in case_ids if c in self._alerts}
        alerts.update(await self.store.get_alerts(missing) if missing else {})
        unknown = [c for c in case_ids if c not in self._status]
        statuses = {c: {"status": self._status[c]} for c in case_ids if c in self._status}
        statuses.update(await self.store.cases_by_ids(unknown, {"status": 1}) if unknown else {})
        results = await asyncio.gather(*(self._new_batch(b, c, g, gd, now, alerts, statuses)
                                         for b, c, g, gd in planned))
        return sum(results)

    async def _new_batch(self, batch, docs: list[dict], gid: str, gdoc: dict, now: datetime,
                         alerts: dict, cases: dict) -> int:
        first = docs[0]
        items: list[NotificationItem] = []
        for d in docs:
            alert = alerts.get(d["case_id"])
            if alert is None:
                continue
            sanction = self.config.sanctions.for_form(alert.classification.form)
            route = self._routes.get(d["route"])
            explain = {"route": d["route"]}
            for m in self.config.match(d["labels"]):
                if m.route.name == d["route"]:
                    explain = m.explain()
            items.append(NotificationItem(
                item_id=d["item_id"], event=d["event"], alert=alert,
                case_status=cases.get(d["case_id"], {}).get("status", ""), labels=d["labels"],
                sanction=sanction, summary=alert_summary(alert, sanction, self.config.contestant_names, d["event"]),
                route=explain if route else {"route": d["route"]},
            ))
        target = first["target"]
        payload = build_payload(
            notification_id=batch.log_key, group_key=batch.group_key, status=batch.status, event=first["event"],
            receiver=first["receiver"], integration=first["integration"],
            recipient_code=target.get("recipient_code", ""), recipient_name=target.get("recipient_name", ""),
            recipient_note=target.get("note", ""),
            group_labels=first["group_labels"], route=items[0].route if items else {"route": first["route"]},
            items=items, public_url=self.public_url, sent_at=now, remaining_items=batch.remaining,
        )
        entry = {
            "_id": batch.log_key, "integration": batch.integration, "receiver": first["receiver"],
            "group_key": batch.group_key, "group_id": gid, "content_hash": batch.content_hash,
            "status": batch.status, "item_ids": list(batch.item_ids), "item_doc_ids": [d["_id"] for d in docs],
            "case_ids": sorted({d["case_id"] for d in docs}), "target": target,
            "body": payload_bytes(payload).decode(), "state": "pending", "created_at": now, "attempts": [],
        }
        if not await self.store.log_insert_pending(entry):
            existing = await self.store.log_get(batch.log_key)
            if existing and existing["state"] == "sent":
                await self.store.finish_items(docs, "notified", now, flood_key=self._flood_key)
                for d in docs:
                    self._open.pop(d["_id"], None)
                self._to_compact += [d["_id"] for d in docs]
            return 0
        await self.store.claim_items(batch.log_key, entry["item_doc_ids"])
        for d in docs:
            self._open.pop(d["_id"], None)
            self._claimed[d["_id"]] = d
        fields = {
            "integration": batch.integration, "group_key": batch.group_key, "last_sent_at": now,
            "reminders_sent": gdoc.get("reminders_sent", 0) + (1 if batch.status == "reminder" else 0),
            "backlog": batch.remaining > 0,
            "sent_item_ids": sorted(set(gdoc.get("sent_item_ids", [])) | set(batch.item_ids)),
        }
        await self.store.save_group(gid, fields)
        self._groups[gid] = {**gdoc, "_id": gid, **fields}
        await self._send_logged(entry, now, docs)
        return 1

    async def _send_logged(self, entry: dict, now: datetime, docs: list[dict]) -> None:
        channel = entry["target"]["kind"]
        async with self._sem:
            started = time.perf_counter()
            result = await self._deliver(entry)
            metrics.DELIVERY.labels(channel).observe(time.perf_counter() - started)
        metrics.NOTIFICATIONS.labels(channel, "sent" if result.ok else "failed").inc()
        done_at = utcnow()
        attempts = [a.__dict__ for a in result.attempts]
        if result.ok:
            await self.store.log_mark(entry["_id"], "sent", {"sent_at": done_at, "attempts": attempts})
            flooded = await self.store.finish_items(docs, "notified", done_at, flood_key=self._flood_key)
            self._flood += [(key, done_at) for key in flooded]
            self._release(docs)
            self.stats["sent"] += 1
            log_event(log, "notification sent", key=entry["_id"], integration=entry["integration"],
                      group_id=entry["group_id"], items=len(entry["item_ids"]), attempts=len(attempts))
            return
        decision = budget.after_failure(entry, result, done_at, self.budget)
        if decision.retry:  # stays pending, its items stay claimed; recover_pending sends it when due
            await self.store.log_mark(entry["_id"], "pending", {"attempts": attempts, **decision.fields})
            log_event(log, "notification failed; retrying later", key=entry["_id"], integration=entry["integration"],
                      reason=decision.reason)
            return
        await self.store.log_mark(entry["_id"], "failed", {"failed_at": done_at, "attempts": attempts,
                                                           "reason": result.reason, "outcome": result.outcome,
                                                           **decision.fields})
        await self.store.finish_items(docs, "failed", done_at)
        self._release(docs)
        await self.store.add_failure({
            "_id": entry["_id"], "kind": "delivery", "outcome": result.outcome, "reason": result.reason,
            "integration": entry["integration"], "receiver": entry["receiver"], "group_id": entry["group_id"],
            "case_ids": entry["case_ids"], "item_ids": entry["item_ids"], "attempts": attempts,
            "status_code": result.status_code, "created_at": done_at,
        })
        self.stats["failed"] += 1
        log.error("notification failed; dead-letter record written", extra={"fields": {
            "key": entry["_id"], "integration": entry["integration"], "group_id": entry["group_id"],
            "outcome": result.outcome, "reason": result.reason, "attempts": len(attempts)}})

    def _release(self, docs: list[dict]) -> None:
        for d in docs:
            self._claimed.pop(d["_id"], None)
            self._derived.pop(d["_id"], None)
            self._flood_cache.pop(d["_id"], None)
            self._to_compact.append(d["_id"])

    async def _deliver(self, entry: dict) -> DeliveryResult:
        target = entry["target"]
        body = entry["body"].encode()
        key = entry["_id"]
        kind = target["kind"]
        try:
            if kind == "webhook":
                secret = None
                if target.get("secret_env"):
                    # $NAME or the file $NAME_FILE names: what check-config accepts is what delivery reads
                    secret = read_secret(target["secret_env"])
                    if not secret:
                        return DeliveryResult(False, "failed_permanent", [],
                                              reason=f"webhook secret variable {target['secret_env']} is not set")
                return await self.webhook.send(target["url"], body, secret=secret, idempotency_key=key,
                                               timeout=target.get("timeout"))
            if kind == "email":
                subject, text = render_email(json.loads(body))
                return await self.email.send(target["emails"], subject, text, notification_id=key, attachment=body)
            if kind == "kafka":
                return await self._kafka(target["topic"], target.get("key") or "", body, key)
        except Exception as exc:  # noqa: BLE001 - any unexpected error becomes a visible failure
            log.exception("delivery raised")
            return DeliveryResult(False, "failed_permanent", [], reason=f"{type(exc).__name__}: {exc}")
        return DeliveryResult(False, "failed_permanent", [], reason=f"unknown integration kind {kind!r}")

    async def _kafka(self, topic: str, key: str, body: bytes, idem: str) -> DeliveryResult:
        from aiokafka import AIOKafkaProducer
        from aiokafka.errors import KafkaError

        from services.notify.delivery.retry import Attempt

        if not self.kafka_bootstrap:
            return DeliveryResult(False, "failed_permanent", [], reason="no Kafka bootstrap servers configured")
        attempt = Attempt(number=1)
        try:
            if self._producer is None:
                self._producer = AIOKafkaProducer(bootstrap_servers=self.kafka_bootstrap, acks="all",
                                                  enable_idempotence=True)
                await self._producer.start()
            await self._producer.send_and_wait(topic, value=body, key=key.encode(),
                                               headers=[("idempotency-key", idem.encode())])
            return DeliveryResult(True, "delivered", [attempt])
        except KafkaError as exc:
            attempt.error = type(exc).__name__
            return DeliveryResult(False, "failed_exhausted", [attempt], reason=f"kafka: {exc}")


async def main() -> None:  # pragma: no cover - process entry
    from services.notify.domain.config import load_notify_config
    from shared.logging import configure_logging
    from shared.mongo import connect
    from shared.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    client, db = connect(settings)
    dispatcher = dispatcher_for(NotifyStore(db), load_notify_config(), settings)
    try:
        await dispatcher.run_forever(get_notify_settings().interval_s)
    finally:
        await dispatcher.close()
        await client.close()


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(main())
