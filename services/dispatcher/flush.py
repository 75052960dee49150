"""Which groups are due and what each sends: a pure function of the working set, the silences and
the time (no I/O), so its rules are tested as tables and the cycle only carries out its plan.

For every pending item, in order: silenced or inhibited items are muted (and wait); the rest are
grouped by (integration, group key); flood limits are applied oldest first across all groups
(counters from the working set); each group's timers then decide whether it sends now and which
items go into the batch (``domain.grouping.next_batch``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from services.notify.domain.config import NotifyConfig
from services.notify.domain.flood import apply_flood_limits
from services.notify.domain.grouping import Batch, GroupState, PendingItem, Timers, next_batch
from services.notify.domain.inhibit import inhibited_by
from services.notify.domain.routing import Route
from services.notify.domain.silences import Silence, silenced_by

from .working_set import WorkingSet


@dataclass(frozen=True)
class PlannedBatch:
    batch: Batch
    docs: list[dict]  # the items it sends, in batch order
    group_id: str
    group: dict  # the group's stored state before this batch


@dataclass
class FlushPlan:
    muted: list[tuple[str, str | None]] = field(default_factory=list)  # item doc id -> new mute reason
    flood_limited: list[tuple[str, str]] = field(default_factory=list)  # (limit name, flood key) holding items back
    batches: list[PlannedBatch] = field(default_factory=list)


def routes_by_name(config: NotifyConfig) -> dict[str, Route]:
    return {r.name: r for r in config.tree.walk()}


def plan_flush(working: WorkingSet, silences: list[Silence], now: datetime, routes: dict[str, Route]) -> FlushPlan:
    """What to send now. ``silences`` are the stored ones active now; the configured ones are added here."""
    plan = FlushPlan()
    pending = [d for d in working.open.values() if d.get("state") == "pending"]
    if not pending:
        return plan
    config = working.config
    silences = silences + [s for s in config.routes.silences if s.active(now)]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for p in pending:
        reason = mute_reason(working, p, silences, now)
        if reason != p.get("muted_by"):
            plan.muted.append((p["_id"], reason))
        if reason is None:
            groups[(p["integration"], p["group_key"])].append(p)
    allowed = _within_flood_limits(working, [p for g in groups.values() for p in g], now, plan)
    for (integration, group_key), docs in groups.items():
        docs = [d for d in docs if d["_id"] in allowed]
        if docs:
            planned = _next_batch(working, integration, group_key, docs, now, routes)
            if planned is not None:
                plan.batches.append(planned)
    return plan


def mute_reason(working: WorkingSet, p: dict, silences: list[Silence], now: datetime) -> str | None:
    """``silenced:<ids>``, ``inhibited:<rule>:<source case>`` or None (the item may go out)."""
    rules = working.config.routes.inhibit_rules
    if not (silences or rules):
        return None
    target_labels, _ = working.labels_of(p)
    muted = silenced_by(target_labels, silences, now)
    if muted:
        return f"silenced:{','.join(muted)}"
    inhibition = inhibited_by(p["labels"], working.sources_for(p["labels"].get("nip", "")), rules) if rules else None
    return f"inhibited:{inhibition.rule}:{inhibition.source_alert_id}" if inhibition else None


def _within_flood_limits(working: WorkingSet, items: list[dict], now: datetime, plan: FlushPlan) -> set[str]:
    """Ids of the items flood limits let through now, oldest first; the limits holding others back
    go to ``plan.flood_limited`` (deferred, not dropped)."""
    limits = list(working.config.routes.flood_limits)
    windows = {limit.name: now - limit.window for limit in limits}
    recent: dict[str, int] = {}
    for key, at in working.flood:
        since = windows.get(key.split(":", 1)[0])
        if since is not None and at >= since:
            recent[key] = recent.get(key, 0) + 1
    # Items whose flood key is already full stay deferred this cycle (counts only grow within
    # one): set them aside with dictionary look-ups; only the rest go through the ordered pass.
    held: list[tuple[str, str, str]] = []
    candidates = []
    for p in sorted(items, key=lambda p: (p["created_at"], p["item_id"])):
        blocked = next(((lim.name, key) for lim, key in working.flood_keys_of(p)
                        if recent.get(key, 0) >= lim.max_items), None)
        if blocked:
            held.append((p["_id"], *blocked))
        else:
            candidates.append(p)
    decision = apply_flood_limits([(p["_id"], working.labels_of(p)[1]) for p in candidates], limits, recent)
    plan.flood_limited += [(limit_name, key) for _, limit_name, key in decision.deferred + held]
    return set(decision.allowed)


def _next_batch(working: WorkingSet, integration: str, group_key: str, docs: list[dict], now: datetime,
                routes: dict[str, Route]) -> PlannedBatch | None:
    gid = docs[0]["group_id"]
    gdoc = working.groups.get(gid) or {}
    state = GroupState(integration, group_key, gdoc.get("last_sent_at"), frozenset(gdoc.get("sent_item_ids", [])),
                       gdoc.get("reminders_sent", 0), gdoc.get("backlog", False))
    route = routes.get(docs[0]["route"]) or working.config.tree
    timers = Timers(route.group_wait, route.group_interval, route.repeat_interval)
    batch = next_batch(state, [PendingItem(d["item_id"], d["case_id"], d["event"], d["created_at"]) for d in docs],
                       timers, now, max_items=docs[0]["target"].get("max_items"))
    if batch is None:
        return None
    by_item = {d["item_id"]: d for d in docs}
    return PlannedBatch(batch, [by_item[i] for i in batch.item_ids if i in by_item], gid, gdoc)
