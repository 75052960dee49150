"""Carrying out a flush plan and sending logged notifications; re-sending what a crash left pending.

Every batch gets its notification-log entry (key, exact body, target) written ``pending`` *before*
any byte is sent, and its items are claimed by that key; the channel then sends the stored body
under that key. Success marks the entry ``sent`` and archives the items (counted against their
flood limits); a failure worth another round keeps it ``pending`` with the next round's time
(``budget``); a final failure marks it ``failed`` with a dead-letter record for operators.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from services.notify.domain.config import NotifyConfig
from services.notify.domain.summary import alert_summary
from services.notify.store import NotifyStore
from shared import metrics
from shared.logging import log_event
from shared.schemas import utcnow

from . import budget
from .budget import RetryBudget
from .channels.base import Channels, Notification
from .flush import FlushPlan, PlannedBatch
from .payload import NotificationItem, build_payload, payload_bytes
from .working_set import WorkingSet

log = logging.getLogger("pantau.dispatcher")


class Sender:
    def __init__(self, store: NotifyStore, config: NotifyConfig, working: WorkingSet, channels: Channels, *,
                 public_url: str, retry_budget: RetryBudget, concurrency: int = 8):
        self.store = store
        self.config = config
        self.working = working
        self.channels = channels
        self.public_url = public_url
        # Retry rounds over hours (kept in the log entry, so across restarts), beyond a channel's
        # quick in-call retries: a receiver down for an afternoon still gets its notification.
        self.retry_budget = retry_budget
        self._sem = asyncio.Semaphore(concurrency)
        self._failures_written: set[str] = set()

    async def carry_out(self, plan: FlushPlan, now: datetime) -> int:
        """Record the plan's mute changes and flood holds, then send its batches; returns batches sent."""
        for item_id, reason in plan.muted:
            self.working.open[item_id]["muted_by"] = reason
        await self.store.set_muted(plan.muted)
        for limit_name, key in plan.flood_limited:
            fid = f"fl_{key}_{now:%Y%m%d%H}"
            if fid not in self._failures_written:
                self._failures_written.add(fid)
                await self.store.add_failure({"_id": fid, "kind": "flood_limited", "limit": limit_name,
                                              "flood_key": key, "created_at": now,
                                              "reason": "flood limit reached; items deferred, not dropped"})
        if not plan.batches:
            return 0
        case_ids = {d["case_id"] for p in plan.batches for d in p.docs}
        alerts, statuses = await self._alerts_and_statuses(case_ids)
        results = await asyncio.gather(*(self._new_batch(p, now, alerts, statuses) for p in plan.batches))
        return sum(results)

    async def _alerts_and_statuses(self, case_ids: set[str]) -> tuple[dict, dict]:
        """From memory (this dispatcher routed and moved these cases); the store is read only for
        what it does not know (after a restart)."""
        known = self.working.alerts
        alerts = {c: known[c] for c in case_ids if c in known}
        missing = [c for c in case_ids if c not in known]
        alerts.update(await self.store.get_alerts(missing) if missing else {})
        status = self.working.status
        statuses = {c: status[c] for c in case_ids if c in status}
        unknown = [c for c in case_ids if c not in status]
        if unknown:
            statuses.update({c: d.get("status", "") for c, d in (await self.store.cases_by_ids(unknown, {"status": 1})).items()})
        return alerts, statuses

    def _items(self, docs: list[dict], alerts: dict, statuses: dict) -> list[NotificationItem]:
        items = []
        for d in docs:
            alert = alerts.get(d["case_id"])
            if alert is None:
                continue
            sanction = self.config.sanctions.for_form(alert.classification.form)
            explain = next((m.explain() for m in self.config.match(d["labels"]) if m.route.name == d["route"]),
                           {"route": d["route"]})
            items.append(NotificationItem(
                item_id=d["item_id"], event=d["event"], alert=alert, case_status=statuses.get(d["case_id"], ""),
                labels=d["labels"], sanction=sanction,
                summary=alert_summary(alert, sanction, self.config.contestant_names, d["event"]), route=explain,
            ))
        return items

    def log_entry(self, planned: PlannedBatch, now: datetime, alerts: dict, statuses: dict) -> dict:
        """The notification-log entry of a batch: its key, target and the exact body to send."""
        batch, docs, first = planned.batch, planned.docs, planned.docs[0]
        items = self._items(docs, alerts, statuses)
        target = first["target"]
        payload = build_payload(
            notification_id=batch.log_key, group_key=batch.group_key, status=batch.status, event=first["event"],
            receiver=first["receiver"], integration=first["integration"],
            recipient_code=target.get("recipient_code", ""), recipient_name=target.get("recipient_name", ""),
            recipient_note=target.get("note", ""),
            group_labels=first["group_labels"], route=items[0].route if items else {"route": first["route"]},
            items=items, public_url=self.public_url, sent_at=now, remaining_items=batch.remaining,
        )
        return {
            "_id": batch.log_key, "integration": batch.integration, "receiver": first["receiver"],
            "group_key": batch.group_key, "group_id": planned.group_id, "content_hash": batch.content_hash,
            "status": batch.status, "item_ids": list(batch.item_ids), "item_doc_ids": [d["_id"] for d in docs],
            "case_ids": sorted({d["case_id"] for d in docs}), "target": target,
            "body": payload_bytes(payload).decode(), "state": "pending", "created_at": now, "attempts": [],
        }

    async def _new_batch(self, planned: PlannedBatch, now: datetime, alerts: dict, statuses: dict) -> int:
        batch, docs, gdoc = planned.batch, planned.docs, planned.group
        entry = self.log_entry(planned, now, alerts, statuses)
        if not await self.store.log_insert_pending(entry):
            existing = await self.store.log_get(batch.log_key)
            if existing and existing["state"] == "sent":  # sent before a crash: only the archive was missing
                await self.store.finish_items(docs, "notified", now, flood_key=self.working.flood_key)
                self.working.finished(docs)
            return 0
        await self.store.claim_items(batch.log_key, entry["item_doc_ids"])
        self.working.claim(docs)
        fields = {
            "integration": batch.integration, "group_key": batch.group_key, "last_sent_at": now,
            "reminders_sent": gdoc.get("reminders_sent", 0) + (1 if batch.status == "reminder" else 0),
            "backlog": batch.remaining > 0,
            "sent_item_ids": sorted(set(gdoc.get("sent_item_ids", [])) | set(batch.item_ids)),
        }
        await self.store.save_group(planned.group_id, fields)
        self.working.groups[planned.group_id] = {**gdoc, "_id": planned.group_id, **fields}
        await self.send_logged(entry, docs)
        return 1

    async def send_logged(self, entry: dict, docs: list[dict]) -> None:
        channel = entry["target"]["kind"]
        async with self._sem:
            started = time.perf_counter()
            result = await self.channels.deliver(Notification.of_log_entry(entry))
            metrics.DELIVERY.labels(channel).observe(time.perf_counter() - started)
        metrics.NOTIFICATIONS.labels(channel, "sent" if result.ok else "failed").inc()
        done_at = utcnow()
        attempts = [a.__dict__ for a in result.attempts]
        if result.ok:
            await self.store.log_mark(entry["_id"], "sent", {"sent_at": done_at, "attempts": attempts})
            flooded = await self.store.finish_items(docs, "notified", done_at, flood_key=self.working.flood_key)
            self.working.flood += [(key, done_at) for key in flooded]
            self.working.finished(docs)
            log_event(log, "notification sent", key=entry["_id"], integration=entry["integration"],
                      group_id=entry["group_id"], items=len(entry["item_ids"]), attempts=len(attempts))
            return
        decision = budget.after_failure(entry, result, done_at, self.retry_budget)
        if decision.retry:  # stays pending, its items stay claimed; recover_pending sends it when due
            await self.store.log_mark(entry["_id"], "pending", {"attempts": attempts, **decision.fields})
            log_event(log, "notification failed; retrying later", key=entry["_id"], integration=entry["integration"],
                      reason=decision.reason)
            return
        await self.store.log_mark(entry["_id"], "failed", {"failed_at": done_at, "attempts": attempts,
                                                           "reason": result.reason, "outcome": result.outcome,
                                                           **decision.fields})
        await self.store.finish_items(docs, "failed", done_at)
        self.working.finished(docs)
        await self.store.add_failure({
            "_id": entry["_id"], "kind": "delivery", "outcome": result.outcome, "reason": result.reason,
            "integration": entry["integration"], "receiver": entry["receiver"], "group_id": entry["group_id"],
            "case_ids": entry["case_ids"], "item_ids": entry["item_ids"], "attempts": attempts,
            "status_code": result.status_code, "created_at": done_at,
        })
        log.error("notification failed; dead-letter record written", extra={"fields": {
            "key": entry["_id"], "integration": entry["integration"], "group_id": entry["group_id"],
            "outcome": result.outcome, "reason": result.reason, "attempts": len(attempts)}})

    async def recover_pending(self, now: datetime) -> int:
        """Re-send log entries left ``pending`` (by a crash, or waiting for their next retry round)
        with the same body under the same key."""
        entries = [e for e in await self.store.log_pending() if budget.due(e, now)]
        work = []
        for entry in entries:
            ids = entry["item_doc_ids"]
            missing = [i for i in ids if i not in self.working.claimed and i not in self.working.open]
            found = {d["_id"]: d for d in await self.store.items_by_ids(missing)} if missing else {}
            docs = [d for i in ids if (d := self.working.claimed.get(i) or self.working.open.get(i) or found.get(i))]
            self.working.claim(docs)
            log_event(log, "re-sending pending notification after restart", key=entry["_id"],
                      integration=entry["integration"], group_id=entry["group_id"])
            work.append(self.send_logged(entry, docs))
        await asyncio.gather(*work)
        return len(entries)
