"""The case steps: a case event becomes routed items (one per delivery target).

Route new cases (event ``suspected``, and ``forwarded`` when a route allows auto-forwarding),
forward verified cases, escalate forwarded cases nobody acknowledged. They read only the small
``notify_work`` collection plus one ``$in`` read of the cases it names, never the case archive.
Each step ends alike (``_saved``): an optimistic case write, then the work entry is done and the
case becomes an inhibition source for its events. Two safety nets run once per period: ``intake``
(alerts without a case) and ``resync_work`` (cases whose work entry a crash lost).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from services.notify.domain import cases as wf
from services.notify.domain.cases import Case
from services.notify.domain.config import NotifyConfig
from services.notify.domain.evaluate import plan_for_labels
from services.notify.domain.labels import alert_labels, with_event
from services.notify.domain.recipients import Target
from services.notify.store import NotifyStore, item_key
from shared.alert_log import logged_alerts
from shared.logging import log_event

from .agency_feed import AgencyFeed
from .working_set import WorkingSet

log = logging.getLogger("pantau.dispatcher")
WORK_PER_CYCLE = 500


def target_fields(t: Target) -> dict[str, Any]:
    """A resolved target as stored on the item (and later the log entry): all a channel needs."""
    return {"kind": t.kind, "url": t.url, "secret_env": t.secret_env, "emails": list(t.emails),
            "topic": t.topic, "key": t.key, "recipient_code": t.recipient_code,
            "recipient_name": t.recipient_name, "timeout": t.timeout.total_seconds(),
            "max_items": t.max_items, **({"note": t.note} if t.note else {})}


class CaseSteps:
    def __init__(self, store: NotifyStore, config: NotifyConfig, working: WorkingSet, feed: AgencyFeed | None = None):
        self.store = store
        self.config = config
        self.working = working
        self.feed = feed  # None: a dispatcher without Kafka (benchmarks, routing tests) has no agency topics
        self._stale_work: set[str] = set()  # route entries whose carried case lost a race once

    # ------------------------------------------------------------------ safety nets
    async def intake(self, now: datetime, since: datetime | None) -> int:
        """The notify agent creates each alert's case; this finds any it missed (all alerts when
        ``since`` is None, as on the first run after start)."""
        ids = await self.store.alert_ids(since)
        have = await self.store.existing_case_ids(ids)
        missing = [i for i in ids if i not in have]
        created = 0
        if missing:
            created = await self.store.ensure_cases(list((await self.store.get_alerts(missing)).values()), now)
        if created:
            log_event(log, "cases created by the safety net", count=created)
        return created

    async def resync_work(self) -> None:
        """A work entry lost between a case write and its work insert is re-created."""
        for doc in await self.store.cases_needing_work():
            if doc.get("needs_routing"):
                await self.store.add_work("route", doc["_id"])
            elif doc.get("status") == "verified":
                await self.store.add_work("forward", doc["_id"])
            elif doc.get("status") == "forwarded" and not doc.get("escalated"):
                await self.store.add_work("escalate", doc["_id"], forwarded_at=doc.get("forwarded_at"))

    # ------------------------------------------------------------------ the three steps
    async def run(self, now: datetime) -> tuple[int, int, int]:
        """(routed, forwarded, escalated) from one read of the work collection; the agencies' topics
        get the events earlier cycles left (``feed`` entries)."""
        work = await self.store.open_work()
        feed = [w for w in work if w["kind"] == "feed"][:WORK_PER_CYCLE]
        if feed:
            await self.store.drop_work(await self.feed.run(feed) if self.feed else [w["_id"] for w in feed])
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
                self.working.remember_alert(w["case_id"], w.get("alert"))
        paged = [w for w in route if w.get("alert_page") and w["case_id"] not in self.working.alerts]
        if paged:  # the alerts from their log pages, each page read once
            for case_id, alert in (await logged_alerts(self.store.db, [w["alert_page"] for w in paged],
                                                       [w["case_id"] for w in paged])).items():
                self.working.remember_alert(case_id, alert)
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
        alerts = await self._alerts_of([w["case_id"] for w in work if w["case_id"] in docs])
        count = 0
        for w in work:
            doc = docs.get(w["case_id"])
            if doc is None:
                continue
            if not doc.get("needs_routing"):
                done.append(w["_id"])
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
            fields = {"needs_routing": False, "labels": labels, "routed_events": events}
            if await self._saved(w, doc, case, fields, done):
                self.working.remember_alert(case.case_id, alert)
                count += 1
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
            if not doc.get("labels"):
                continue  # not routed yet; next cycle
            await self._plan_items(doc["_id"], doc["labels"], "forwarded", now)
            case = wf.apply(self.store.case_from(doc), "forward", actor="system", role="system", now=now,
                            reason="diteruskan setelah verifikasi analis")
            count += await self._saved(w, doc, case, {"routed_events": _with(doc, "forwarded")}, done)
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
            count += await self._saved(w, doc, case, {"routed_events": _with(doc, "escalated")}, done)
        return count

    # ------------------------------------------------------------------ shared by the steps
    async def _saved(self, w: dict, doc: dict, case: Case, fields: dict, done: list[str]) -> bool:
        """The common step ending: write the case if nobody changed it since it was read; then its
        work entry is done, it is an inhibition source for the events routed so far, and a case now
        forwarded (and not yet escalated) gets its escalation work entry."""
        if not await self.store.save_case(case, doc.get("version", 0), fields):
            self._stale_work.add(w["_id"])  # changed meanwhile: read the case next cycle
            return False
        self.working.status[case.case_id] = case.status
        done.append(w["_id"])
        self.working.note_source(doc.get("nip"), case.case_id, fields.get("labels") or doc.get("labels") or {},
                                 fields["routed_events"])
        if case.status == "forwarded" and not case.escalated:
            await self.store.add_work("escalate", case.case_id, forwarded_at=case.forwarded_at)
        return True

    async def _alerts_of(self, case_ids: list[str]) -> dict:
        """Alerts from memory where this dispatcher has them, the rest in one read."""
        known = {c: a for c in case_ids if (a := self.working.alerts.get(c)) is not None}
        missing = [c for c in case_ids if c not in known]
        return {**known, **(await self.store.get_alerts(missing) if missing else {})}

    async def _plan_items(self, case_id: str, base_labels: dict, event: str, now: datetime) -> Any:
        """Store one item per resolved target (new ones join the open items); an unresolved
        recipient becomes a failure record operators see."""
        labels = with_event(base_labels, event)
        plan = plan_for_labels(self.config, labels)
        item_id = f"{case_id}:{event}"
        for d in plan.deliveries:
            t = d.target
            if not isinstance(t, Target):
                await self.store.add_failure({
                    "_id": "uf_" + item_key(t.integration, d.group_key, item_id)[3:],
                    "kind": "unresolved_recipient", "integration": t.integration, "receiver": t.receiver,
                    "route": d.match.route.name, "case_id": case_id, "event": event, "reason": t.reason,
                    "created_at": now,
                })
                log_event(log, "recipient unresolved", integration=t.integration, case_id=case_id, reason=t.reason)
                continue
            doc = {
                "_id": item_key(t.integration, d.group_key, item_id),
                "item_id": item_id, "case_id": case_id, "event": event,
                "integration": t.integration, "receiver": t.receiver, "route": d.match.route.name,
                "group_key": d.group_key, "group_id": d.group_id, "group_labels": dict(d.group_labels),
                "labels": dict(labels), "target": target_fields(t),
                "state": "pending", "created_at": now, "flood_key": None,
            }
            if await self.store.add_item(doc):
                self.working.open[doc["_id"]] = doc
        return plan


def _with(doc: dict, event: str) -> list[str]:
    """The case's routed events plus ``event`` (sorted: stored as a set)."""
    return sorted(set(doc.get("routed_events", [])) | {event})
