"""The dispatcher's working set: what it reads once and then keeps current in memory.

FerretDB scans a whole collection for every filter, so the flush must not query the open items
each cycle. They are loaded when the lease is won (and after a failed cycle, and on the safety-net
period), with the notification groups, the flood counters of the longest flood window and the
inhibition sources; afterwards this dispatcher, the only writer of items, keeps them current.
Finished items move to an archive the cycle never reads; their open copies are deleted in bulk
("compacted") off the cycle.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from services.notify.domain.config import NotifyConfig
from services.notify.store import NotifyStore
from shared.logging import log_event
from shared.schemas import Alert

log = logging.getLogger("pantau.dispatcher")
REMEMBERED_ALERTS = 50_000  # bounded: a miss only costs one read


@dataclass
class LoadedItems:
    """The open-items collection sorted by what each item needs after a (re)start."""
    open: dict[str, dict] = field(default_factory=dict)  # waiting for a batch
    claimed: dict[str, dict] = field(default_factory=dict)  # in a logged batch not yet finished
    to_compact: list[str] = field(default_factory=list)  # archived already
    finish: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))  # state -> items to archive


def sort_loaded_items(items: list[dict], done: set[str], claimed: set[str], log_states: dict[str, dict]) -> LoadedItems:
    """Pure: an item whose log entry is ``pending`` is claimed (recovery re-sends it under its key),
    one already archived is compacted away, one left by the older layout in ``sending`` is finished
    from its log entry's state; so no item stays in a state nobody resumes."""
    out = LoadedItems()
    for d in items:
        if d["_id"] in done:
            out.to_compact.append(d["_id"])
        elif d["_id"] in claimed:
            out.claimed[d["_id"]] = d
        elif d.get("state") in ("notified", "failed"):
            out.finish[d["state"]].append(d)
        elif d.get("state") == "sending":
            logged = log_states.get(d.get("log_key") or "")
            state = {"sent": "notified", "failed": "failed"}.get(logged["state"]) if logged else None
            if state:
                out.finish[state].append(d)
            else:
                out.open[d["_id"]] = {**d, "state": "pending"}
        else:
            out.open[d["_id"]] = d
    return out


class WorkingSet:
    def __init__(self, store: NotifyStore, config: NotifyConfig):
        self.store = store
        self.config = config
        self.loaded = False
        self.open: dict[str, dict] = {}  # item doc id -> pending item
        self.claimed: dict[str, dict] = {}  # item doc id -> item in a logged batch not yet finished
        self.to_compact: list[str] = []  # archived items still in the open collection
        self.groups: dict[str, dict] = {}  # group id -> its timers and what it sent
        self.flood: list[tuple[str, datetime]] = []  # (flood key, delivered at) within the longest window
        self.sources: dict[str, dict[str, dict]] = defaultdict(dict)  # nip -> case id -> inhibition source
        self.alerts: dict[str, Alert] = {}  # case id -> alert, for the cases this dispatcher moved
        self.status: dict[str, str] = {}  # case id -> status this dispatcher last wrote
        self._derived: dict[str, tuple[dict, dict]] = {}
        self._flood_keys: dict[str, list] = {}
        self.flood_window = max((lim.window for lim in config.routes.flood_limits), default=timedelta(0))

    # ------------------------------------------------------------------ loading
    async def reload(self, now: datetime) -> None:
        items = await self.store.open_items()
        done = await self.store.done_item_ids()
        claimed = {i for e in await self.store.log_pending() for i in e["item_doc_ids"]}
        legacy = [d for d in items if d.get("state") in ("sending", "notified", "failed") and d["_id"] not in done]
        states = await self.store.log_states({d.get("log_key") for d in legacy if d.get("log_key")})
        loaded = sort_loaded_items(items, done, claimed, states)
        self.open, self.claimed, self.to_compact = loaded.open, loaded.claimed, loaded.to_compact
        for state, docs in loaded.finish.items():
            await self.store.finish_items(docs, state, now, flood_key=self.flood_key)
            self.to_compact += [d["_id"] for d in docs]
            log_event(log, "finished items a crash left behind", state=state, count=len(docs))
        await self.compact()
        self.groups = await self.store.load_groups()
        self.flood = [(r["flood_key"], r["at"]) for r in await self.store.flood_since(now - self.flood_window)]
        if self.flood_window:
            await self.store.prune_flood(now - self.flood_window)
        await self.refresh_sources()
        self.loaded = True

    async def refresh_sources(self) -> None:
        """Inhibition sources: open cases of the people with pending items (closed ones drop out)."""
        self.sources = defaultdict(dict)
        if self.config.routes.inhibit_rules:
            nips = {d["labels"].get("nip") for d in self.open.values() if d["labels"].get("nip")}
            for c in await self.store.open_cases_of(nips):
                self.note_source(c["nip"], c["_id"], c.get("labels") or {}, c.get("routed_events", []))

    async def compact(self) -> None:
        ids, self.to_compact = self.to_compact, []
        try:
            await self.store.compact_items(ids)
        except Exception:  # noqa: BLE001 - archived already; the next reload compacts them
            log.exception("compaction of finished items failed")

    # ------------------------------------------------------------------ keeping it current
    def note_source(self, nip: str | None, case_id: str, labels: dict, events: Iterable[str]) -> None:
        if nip:
            self.sources[nip][case_id] = {"labels": labels, "events": list(events)}

    def remember_alert(self, case_id: str, alert: Alert | dict[str, Any] | str | None) -> None:
        """``alert``: as read back (a route entry's JSON string, or a document) or already parsed."""
        if alert is None:
            return
        if len(self.alerts) > REMEMBERED_ALERTS:
            self.alerts.clear()
            self.status.clear()
        self.alerts[case_id] = (alert if isinstance(alert, Alert) else Alert.model_validate_json(alert)
                                if isinstance(alert, str) else Alert.model_validate(alert))

    def claim(self, docs: list[dict]) -> None:
        for d in docs:
            self.open.pop(d["_id"], None)
            self.claimed[d["_id"]] = d

    def finished(self, docs: list[dict]) -> None:
        """Items archived: out of memory, their open copies compacted later."""
        for d in docs:
            self.open.pop(d["_id"], None)
            self.claimed.pop(d["_id"], None)
            self._derived.pop(d["_id"], None)
            self._flood_keys.pop(d["_id"], None)
            self.to_compact.append(d["_id"])

    # ------------------------------------------------------------------ derived per item (cached)
    def flood_key(self, doc: dict) -> list[str]:
        """The flood-limit keys a delivered item counts against."""
        labels = {**doc["labels"], "receiver": doc["receiver"]}
        return [limit.key(labels) for limit in self.config.routes.flood_limits if limit.applies(labels)]

    def labels_of(self, p: dict) -> tuple[dict, dict]:
        """(silence labels, flood labels) of an item: fixed per item, so computed once (CPU per
        cycle matters with tens of thousands of held items)."""
        cached = self._derived.get(p["_id"])
        if cached is None:
            flood = {**p["labels"], "receiver": p["receiver"]}
            cached = self._derived[p["_id"]] = ({**flood, "recipient": p["target"].get("recipient_code", "")}, flood)
        return cached

    def flood_keys_of(self, p: dict) -> list:
        """(limit, key) for every flood limit that applies to an item."""
        cached = self._flood_keys.get(p["_id"])
        if cached is None:
            labels = self.labels_of(p)[1]
            cached = self._flood_keys[p["_id"]] = [(lim, lim.key(labels)) for lim in self.config.routes.flood_limits
                                                   if lim.applies(labels)]
        return cached

    def sources_for(self, nip: str) -> list[dict]:
        return [{**s["labels"], "event": ev, "alert_id": cid}
                for cid, s in self.sources.get(nip, {}).items() for ev in s["events"]]
