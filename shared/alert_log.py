"""The alert log: alerts in small, time-bounded pages, so "the newest alerts" is a few page reads.

Why: on FerretDB v1 (SQLite) every filter and every sort reads the whole collection, about 130 µs
and 40 µs/KB per stored document (measured: 200,000 small documents take 31 s; by ``_id`` 1.8 s).
Reading a whole *small* collection is the only cheap read. So the notify stage, next to each
alert it stores in ``alerts``, appends it to a page of its agency's sequence: one of
``AGENCY_BUCKETS`` sequences chosen by the agency code, a collection named
``alert_agency_log_<bucket>_<start>_<writer>_<seq>`` holding at most ``PAGE_ALERTS`` alerts whose
``created_at`` lies in ``[start, start + AGENCY_PAGE_SPAN)``, one document per append (the alerts as
one compressed JSON array: FerretDB reads a string or bytes several times faster than nested documents,
and compressed a page is about a tenth of the bytes). The dispatcher reads a new case's alert from its
page (the route work entry names it), so the alert's bytes are written twice, not four times. A writer (one
process) fills one page at a time in time order, so a page's alerts are also older than the start of
the same writer's next page. The reader lists the page names (no document read), reads pages newest
first and stops as soon as no unread page can hold anything newer than what it already has:
``--agency`` reads its bucket (a sixteenth of the alerts), the whole log merges the sixteen. A batch
of alerts for hundreds of agencies writes at most ``AGENCY_BUCKETS`` pages (one insert each).

Each alert is logged once. Until 2026-12 it was also logged in an all-agencies sequence
(``alert_log_...``, ``PAGE_SPAN``): a second copy of every alert's bytes, the pipeline's largest write
after the alert itself; those pages are still read.

Insert-only: a replay may log an alert twice, the reader keeps one.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from shared.mongo import insert_new
from shared.pages import packed, unpacked
from shared.schemas import Alert

PREFIX = "alert_log_"  # the all-agencies sequence written before 2026-12: read, no longer written
AGENCY_PREFIX = "alert_agency_log_"  # + the agency's bucket + "_"
AGENCY_BUCKETS = 16  # sequences the agencies share: bounds the inserts per batch, whatever its agencies
PAGE_ALERTS = 500  # ~1 MB of alerts: one page reads in about 0.1 s
PAGE_SPAN = timedelta(hours=1)  # bounds what an unfinished or abandoned page can hold
AGENCY_PAGE_SPAN = timedelta(days=1)  # longer: fewer collections for agencies with few alerts
STAMP = "%Y%m%dT%H%M%S%fZ"
SLACK = timedelta(seconds=1)


def _bucket_prefix(bucket: int) -> str:
    return f"{AGENCY_PREFIX}{bucket:02d}_"


# Every sequence a reader of the whole log merges: the agencies' buckets and the old all-agencies one.
_SEQUENCES = [(PREFIX, PAGE_SPAN)] + [(_bucket_prefix(b), AGENCY_PAGE_SPAN) for b in range(AGENCY_BUCKETS)]


def agency_prefix(agency: str) -> str:
    """The sequence an agency's alerts are logged in: its bucket, from a digest of its code."""
    return _bucket_prefix(int(hashlib.sha256(agency.encode()).hexdigest()[:8], 16) % AGENCY_BUCKETS)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class _Page:
    name: str
    start: datetime
    span: timedelta
    count: int = 0
    last: datetime | None = None

    def takes(self, moment: datetime) -> bool:
        """In time order, within the span, not full."""
        return (self.count < PAGE_ALERTS and self.start <= moment < self.start + self.span
                and (self.last is None or moment >= self.last))


@dataclass
class _Sequence:
    """One writer's pages under one prefix, filled one at a time in time order."""
    prefix: str
    span: timedelta
    writer: str
    seq: int = 0
    page: _Page | None = None

    def _new_page(self, start: datetime, one_off: bool = False) -> _Page:
        writer, seq = (secrets.token_hex(4), 0) if one_off else (self.writer, self.seq + 1)
        self.seq += 0 if one_off else 1
        return _Page(f"{self.prefix}{start.strftime(STAMP)}_{writer}_{seq:06d}", start, self.span)

    def assign(self, alerts: list[Alert], pages: dict[str, list[Alert]]) -> None:
        """Adds page name -> alerts to ``pages`` (alerts sorted by time). An alert older than the current
        page (a crash replay) goes to a page of a one-off writer, so this writer's time order holds."""
        side: _Page | None = None
        for alert in alerts:
            moment = _utc(alert.created_at)
            if self.page is not None and moment < (self.page.last or self.page.start):
                if side is None or not side.takes(moment):
                    side = self._new_page(moment, one_off=True)
                page = side
            else:
                if self.page is None or not self.page.takes(moment):
                    self.page = self._new_page(moment)
                page = self.page
            page.count += 1
            page.last = moment
            pages.setdefault(page.name, []).append(alert)


@dataclass
class AlertLog:
    """One process's writer: each alert in its agency's bucket sequence."""

    writer: str = field(default_factory=lambda: secrets.token_hex(4))
    sequences: dict[str, _Sequence] = field(default_factory=dict)

    def _sequence(self, prefix: str) -> _Sequence:
        if prefix not in self.sequences:
            self.sequences[prefix] = _Sequence(prefix, PAGE_SPAN if prefix == PREFIX else AGENCY_PAGE_SPAN, self.writer)
        return self.sequences[prefix]

    async def append(self, db, alerts: Iterable[Alert]) -> dict[str, str]:
        """Log alerts already stored in ``alerts`` (call before publishing them); the page each went to."""
        ordered = sorted(alerts, key=lambda a: (_utc(a.created_at), a.alert_id))
        pages: dict[str, list[Alert]] = {}
        buckets: dict[str, list[Alert]] = {}
        for alert in ordered:
            buckets.setdefault(agency_prefix(alert.agency_code), []).append(alert)
        for prefix in sorted(buckets):
            self._sequence(prefix).assign(buckets[prefix], pages)
        rows = {a.alert_id: json.dumps(a.model_dump(mode="json"), ensure_ascii=False) for a in ordered}  # once each
        for name, group in pages.items():
            ids = "|".join(a.alert_id for a in group)
            body = "[" + ", ".join(rows[a.alert_id] for a in group) + "]"
            await insert_new(db[name], [{"_id": hashlib.sha256(ids.encode()).hexdigest()[:32], **_packed(body)}])
        return {alert.alert_id: name for name, group in pages.items() for alert in group}


def _packed(rows: str) -> dict[str, bytes]:
    """A page's alerts (a JSON array) compressed (``shared.pages.packed``): alerts share most of their words."""
    return {"alerts_z": packed(rows)}


def page_alerts(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The alerts of a page document (a page written before compression holds ``alerts``, plain JSON)."""
    return unpacked(doc["alerts_z"]) if "alerts_z" in doc else json.loads(doc["alerts"])


async def _log_names(db) -> list[str]:
    """The log's page collections, both sequences (names only: no document is read)."""
    return await db.list_collection_names(filter={"name": {"$regex": f"^({re.escape(PREFIX)}|{re.escape(AGENCY_PREFIX)})"}})


async def logged_alerts(db, names: Iterable[str], ids: Iterable[str]) -> dict[str, Alert]:
    """The alerts ``ids`` from the pages ``names`` (each page read once: a small collection)."""
    wanted, found = set(ids), {}
    for name in sorted(set(names)):
        async for doc in db[name].find({}):
            for row in page_alerts(doc):
                if row["alert_id"] in wanted:
                    found[row["alert_id"]] = Alert.model_validate(row)
    return found


@dataclass(frozen=True)
class PageInfo:
    name: str
    start: datetime
    end: datetime  # every alert in the page is older than this


def pages(names: Iterable[str], prefix: str = PREFIX, span: timedelta = PAGE_SPAN) -> list[PageInfo]:
    """The pages of one sequence prefix from collection names, newest end first."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d{{8}}T\d{{12}}Z)_([0-9a-f]+)_(\d+)$")
    parsed = []
    for name in names:
        if m := pattern.match(name):
            start = datetime.strptime(m[1], STAMP).replace(tzinfo=timezone.utc)
            parsed.append((name, start, m[2], int(m[3])))
    starts = {(writer, seq): start for _, start, writer, seq in parsed}
    infos = []
    for name, start, writer, seq in parsed:
        end = start + span
        if seq and (writer, seq + 1) in starts:
            end = min(end, starts[(writer, seq + 1)])
        infos.append(PageInfo(name, start, end))
    return sorted(infos, key=lambda p: (p.end, p.name), reverse=True)


@dataclass(frozen=True)
class Cursor:
    """Where a page of output ended: alerts strictly older than (created_at, alert_id)."""
    created_at: datetime
    alert_id: str = "\uffff"  # a bare time: every alert at that instant counts as newer

    def text(self) -> str:
        return f"{self.created_at.isoformat()}/{self.alert_id}"


def _key(row: dict[str, Any]) -> tuple[datetime, str]:
    return _utc(datetime.fromisoformat(row["created_at"])), row["alert_id"]


@dataclass
class Found:
    rows: list[dict[str, Any]]  # newest first
    more: Cursor | None  # set when older alerts match too: the next page starts there
    pages_read: int


async def newest(db, limit: int, since: datetime | None = None, before: Cursor | None = None,
                 agency: str | None = None) -> Found:
    """The ``limit`` newest logged alerts matching the filters, reading as few pages as it can."""
    sequences = [(agency_prefix(agency), AGENCY_PAGE_SPAN)] if agency else _SEQUENCES
    names = await _log_names(db)
    want = limit + 1  # one more tells whether there is a next page
    found: dict[str, dict[str, Any]] = {}
    read = 0
    candidates = sorted((page for prefix, span in sequences for page in pages(names, prefix, span)),
                        key=lambda p: (p.end, p.name), reverse=True)
    for page in candidates:
        if since is not None and page.end <= since:
            break
        if before is not None and page.start > before.created_at:
            continue
        ranked = sorted(found.values(), key=_key, reverse=True)
        if len(ranked) >= want and _key(ranked[want - 1])[0] >= page.end:
            break
        read += 1
        async for doc in db[page.name].find({}):
            for row in page_alerts(doc):
                key = _key(row)
                if ((agency is None or row["agency_code"] == agency) and (since is None or key[0] >= since)
                        and (before is None or key < (before.created_at, before.alert_id))):
                    found[row["alert_id"]] = row
    ranked = sorted(found.values(), key=_key, reverse=True)
    rows = ranked[:limit]
    more = Cursor(*_key(rows[-1])) if len(ranked) > limit else None
    return Found(rows, more, read)


async def erase_alerts(db, created: dict[str, datetime]) -> int:
    """Remove alerts (id -> created_at) from every page that can hold them (retention: a case's personal data
    erased after its period). Only the pages whose span covers one of the times are read; a page is small.
    ``SLACK``: a time read back from the store has lost its microseconds, the page name has them."""
    if not created:
        return 0
    moments = [_utc(moment) for moment in created.values()]
    names = await _log_names(db)
    removed = 0
    for prefix, span in _SEQUENCES:
        for page in pages(names, prefix, span):
            if not any(page.start - SLACK <= moment < page.end + SLACK for moment in moments):
                continue
            async for doc in db[page.name].find({}):
                rows = page_alerts(doc)
                kept = [row for row in rows if row["alert_id"] not in created]
                if len(kept) != len(rows):
                    removed += len(rows) - len(kept)
                    await db[page.name].replace_one({"_id": doc["_id"]}, _packed(json.dumps(kept, ensure_ascii=False)))
    return removed
