"""MongoDB persistence for notify (PyMongo ``AsyncMongoClient``; FerretDB-compatible: plain and
unique indexes, upserts, find-and-modify; no transactions, TTL, $lookup or change streams).

Every query the agency API and the dispatcher make goes through this class: nothing else in notify
builds a MongoDB filter, and every filter value that comes from a request is a plain string, bool,
number or datetime here (never a dict), so an operator such as ``{"$ne": ...}`` can never reach a
query.

FerretDB v1 scans the whole collection for every filter (even by ``_id``), hangs on update batches
of ~100 statements and sometimes answers "database is locked" to concurrent updates. So the
dispatcher's *open* work lives in small collections, separate from the archive, and is read once
and then kept in the dispatcher's memory; update batches are at most ``MAX_BATCH`` statements; and
"database is locked" is retried as transient (``_retry``).

Collections
  cases              one per alert (``_id`` = alert id): workflow state, history, labels, routing flags
  notify_work        open case work, small: ``route:<id>``, ``forward:<id>``, ``escalate:<id>``,
                     ``feed:<id>:<event>`` (for the agency's own topic, with the case as it was then)
  notify_items       open items only (``pending`` -> ``sending``); finished ones move to
  notify_items_done  the archive (``notified`` | ``failed``), never scanned by a dispatcher cycle
  notify_flood       one per delivered item that counts against a flood limit (pruned after the window)
  notify_groups      per (integration, group key): last send time, sent item ids, reminders, backlog
  notify_log         the notification log: ``_id`` = key of (integration, group key, content-set hash),
                     plus a unique index on those three fields. Written as ``pending`` *before* sending,
                     then ``sent`` or ``failed``. The key is the Idempotency-Key receivers see.
  notify_failures    dead letters: exhausted retries, permanent refusals, unresolved recipients
  alerts             every alert as notify built it (``shared.stored.StoredAlert``: the alert as one JSON
                     string), insert-only; ``source: review`` when an analyst accepted a review candidate
  review_candidates  review-band match candidates awaiting an analyst (``shared.stored.ReviewCandidate``)
  review_decisions   the analysts' decisions on them, insert-only (see ``ReviewSource``)
  silences, api_keys, audit, notify_leases
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notify.domain.cases import Case, agency_event, new_case
from services.notify.domain.silences import Silence
from shared.alert_log import AlertLog
from shared.evidence import find_content
from shared.mongo import insert_new, retry_locked as _retry
from shared.pages import read_rows
from shared.schemas import Alert
from shared.stored import Judgement, MatchResult, ReviewCandidate, StoredAlert, StoredContent

CASE_FIELDS = set(Case.model_fields)
MAX_BATCH = 25  # FerretDB v1 hangs on update batches of ~100 statements
log = logging.getLogger("pantau.notify.store")


def item_key(integration: str, group_key: str, item_id: str) -> str:
    return "it_" + hashlib.sha256(f"{integration}\x1f{group_key}\x1f{item_id}".encode()).hexdigest()[:32]


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k in CASE_FIELDS}


def chunks(values: list, size: int = MAX_BATCH) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _text(value: Any, name: str) -> str:
    """Request values reach filters only as plain strings (never an operator dict)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    return value


@dataclass(frozen=True)
class CaseFilter:
    """What a case list may be narrowed by; every field a plain value (see ``_text``)."""

    agency_code: str | None = None  # the caller's own agency (agency role) or an analyst's filter
    forwarded_only: bool = False  # agencies see only what was forwarded to them
    status: str | None = None
    form: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    escalated: bool | None = None
    assigned_to: str | None = None
    case_ids: tuple[str, ...] | None = None

    def query(self) -> dict[str, Any]:
        q: dict[str, Any] = {}
        if self.agency_code is not None:
            q["agency_code"] = _text(self.agency_code, "agency_code")
        if self.forwarded_only:
            q["forwarded_at"] = {"$ne": None}
        if self.status is not None:
            q["status"] = _text(self.status, "status")
        if self.form is not None:
            q["form"] = _text(self.form, "form")
        if self.since is not None or self.until is not None:
            q["created_at"] = {}
            if self.since is not None:
                q["created_at"]["$gte"] = self.since
            if self.until is not None:
                q["created_at"]["$lt"] = self.until
        if self.escalated is not None:
            q["escalated"] = bool(self.escalated)
        if self.assigned_to is not None:
            q["assigned_to"] = _text(self.assigned_to, "assigned_to")
        if self.case_ids is not None:
            q["_id"] = {"$in": [_text(i, "case_id") for i in self.case_ids]}
        return q


class NotifyStore:
    def __init__(self, db: AsyncDatabase):
        self.db = db
        self.alerts = db["alerts"]
        self.alert_log = AlertLog()  # this process's pages of the alert log
        self.cases = db["cases"]
        self.work = db["notify_work"]
        self.items = db["notify_items"]
        self.items_done = db["notify_items_done"]
        self.flood = db["notify_flood"]
        self.groups = db["notify_groups"]
        self.log = db["notify_log"]
        self.failures = db["notify_failures"]
        self.silences = db["silences"]
        self.api_keys = db["api_keys"]
        self.audit = db["audit"]
        self.leases = db["notify_leases"]
        self.reviews = ReviewSource(db)

    async def ensure_indexes(self) -> None:
        await self.log.create_index(
            [("integration", ASCENDING), ("group_key", ASCENDING), ("content_hash", ASCENDING)],
            unique=True, name="log_unique_key",
        )
        await self.log.create_index([("state", ASCENDING)], name="log_state")
        await self.items.create_index([("state", ASCENDING)], name="items_state")
        await self.items.create_index([("case_id", ASCENDING)], name="items_case")
        await self.cases.create_index([("agency_code", ASCENDING), ("created_at", ASCENDING)], name="cases_agency")
        await self.cases.create_index([("status", ASCENDING)], name="cases_status")
        await self.cases.create_index([("nip", ASCENDING)], name="cases_nip")
        await self.work.create_index([("kind", ASCENDING)], name="work_kind")
        await self.api_keys.create_index([("key_hash", ASCENDING)], unique=True, name="api_key_hash")
        await self.alerts.create_index([("created_at", ASCENDING)], name="alerts_created")

    # ------------------------------------------------------------------ cases
    def _case_doc(self, alert: Alert, now: datetime) -> dict:
        case = new_case(alert.alert_id, alert.agency_code, now)
        return {"_id": case.case_id, **case.model_dump(mode="python"), "nip": alert.subject.nip,
                "content_id": alert.content.content_id,  # retention keeps this post while the case needs it
                "form": alert.classification.form, "needs_routing": True, "routed_events": [], "labels": {},
                "text": (alert.content.excerpt or "").lower(), "contestants": sorted(
                    {s.contestant for s in alert.classification.stance}),
                "region": alert.subject.regency_code or alert.subject.province_code}

    async def ensure_case(self, alert: Alert, now: datetime) -> bool:
        """Create the case for an alert if it does not exist; True if created.

        The ``route`` work entry carries the new case and its alert, so routing it reads neither
        the case archive nor the alerts (each a full scan on FerretDB). The alert is one JSON string: as a
        nested document FerretDB writes it at twice the size (its type schema), the largest write per alert."""
        doc = self._case_doc(alert, now)
        try:
            await _retry(lambda: self.cases.insert_one(doc))
        except DuplicateKeyError:
            return False
        await self.add_work("route", alert.alert_id, case=doc, alert=alert.model_dump_json())
        return True

    async def ensure_cases(self, alerts: list[Alert], now: datetime, logged: dict[str, str] | None = None) -> int:
        """Batched ``ensure_case`` (insert-only, unordered): how many cases were new. ``logged``: the alert-log
        page of each alert (``AlertLog.append``); the route work then names the page instead of carrying the
        alert, a page being compressed and read whole by the dispatcher."""
        logged = logged or {}
        docs = {alert.alert_id: (self._case_doc(alert, now), alert) for alert in alerts}
        existed = await _retry(lambda: insert_new(self.cases, [doc for doc, _ in docs.values()]))
        created = [case_id for case_id in docs if case_id not in existed]
        await _retry(lambda: insert_new(self.work, [
            {"_id": f"route:{c}", "kind": "route", "case_id": c, "case": docs[c][0],
             **({"alert_page": logged[c]} if c in logged else {"alert": docs[c][1].model_dump_json()})}
            for c in created]))
        return len(created)

    async def get_case_doc(self, case_id: str) -> dict | None:
        return await self.cases.find_one({"_id": _text(case_id, "case_id")})

    async def find_case(self, case_id: str, scope: CaseFilter) -> dict | None:
        """One case if the caller's scope (agency, forwarded) lets them see it."""
        return await self.cases.find_one({**scope.query(), "_id": _text(case_id, "case_id")})

    async def list_cases(self, flt: CaseFilter, offset: int = 0, limit: int | None = None,
                         newest_first: bool = False) -> list[dict]:
        order = -1 if newest_first else 1
        cursor = self.cases.find(flt.query()).sort([("created_at", order), ("_id", order)]).skip(offset)
        if limit is not None:
            cursor = cursor.limit(limit)
        return await cursor.to_list(None)

    async def existing_case_ids(self, ids: list[str]) -> set[str]:
        have: set[str] = set()
        for chunk in chunks(ids, 500):
            have |= {d["_id"] async for d in self.cases.find({"_id": {"$in": chunk}}, {"_id": 1})}
        return have

    async def cases_by_ids(self, ids: Iterable[str], projection: dict | None = None) -> dict[str, dict]:
        ids = list(ids)
        if not ids:
            return {}
        return {d["_id"]: d async for d in self.cases.find({"_id": {"$in": ids}}, projection)}

    async def open_cases_of(self, nips: Iterable[str]) -> list[dict]:
        """Inhibition sources: cases of these people that were not rejected."""
        nips = list(nips)
        if not nips:
            return []
        return await self.cases.find({"nip": {"$in": nips}, "status": {"$ne": "closed_not_proven"}},
                                     {"nip": 1, "labels": 1, "routed_events": 1}).to_list(None)

    async def cases_needing_work(self) -> list[dict]:
        """Safety net (one scan per period): cases whose next step a crash may have lost."""
        return await self.cases.find(
            {"$or": [{"needs_routing": True}, {"status": "verified"}, {"status": "forwarded", "escalated": False}]},
            {"_id": 1, "needs_routing": 1, "status": 1, "forwarded_at": 1, "escalated": 1}).to_list(None)

    @staticmethod
    def case_from(doc: dict) -> Case:
        return Case.model_validate(_strip(doc))

    async def save_case(self, case: Case, expected_version: int, extra: dict | None = None) -> bool:
        """Optimistic write: only if nobody else changed the case since we read it.

        A case that becomes ``verified`` gets its ``forward`` work item, so the dispatcher, which
        never scans the case archive in a cycle, forwards it."""
        doc = {**case.model_dump(mode="python"), "version": expected_version + 1, **(extra or {})}
        doc.pop("case_id", None)
        result = await _retry(lambda: self.cases.update_one(
            {"_id": case.case_id, "version": expected_version}, {"$set": doc}))
        if result.modified_count != 1:
            return False
        if case.status == "verified":
            await self.add_work("forward", case.case_id)
        if (event := agency_event(case)) is not None:
            await self.add_feed_work(case, event)
        return True

    async def set_case_fields(self, case_id: str, fields: dict) -> bool:
        """Desk bookkeeping outside the workflow (assignment): no version bump, no history."""
        allowed = {k: v for k, v in fields.items() if k in ("assigned_to", "assigned_at")}
        result = await _retry(lambda: self.cases.update_one({"_id": _text(case_id, "case_id")}, {"$set": allowed}))
        return result.matched_count == 1

    async def add_case_note(self, case_id: str, entry: dict) -> bool:
        """A note on a case (agency or analyst), kept apart from the workflow history."""
        result = await _retry(lambda: self.cases.update_one({"_id": _text(case_id, "case_id")},
                                                            {"$push": {"notes": entry}}))
        return result.matched_count == 1

    # ------------------------------------------------------------------ open case work
    async def add_work(self, kind: str, case_id: str, **fields: Any) -> None:
        try:
            await _retry(lambda: self.work.insert_one({"_id": f"{kind}:{case_id}", "kind": kind,
                                                       "case_id": case_id, **fields}))
        except DuplicateKeyError:
            pass

    async def add_feed_work(self, case: Case, event: str) -> None:
        """The agency's topic gets this event with the case as it is now (the dispatcher publishes it)."""
        try:
            await _retry(lambda: self.work.insert_one({"_id": f"feed:{case.case_id}:{event}", "kind": "feed",
                                                       "case_id": case.case_id, "event": event,
                                                       "case": case.model_dump(mode="json")}))
        except DuplicateKeyError:
            pass

    async def add_work_many(self, kind: str, case_ids: list[str], **fields: Any) -> None:
        await _retry(lambda: insert_new(self.work, [{"_id": f"{kind}:{c}", "kind": kind, "case_id": c, **fields}
                                                    for c in case_ids]))

    async def open_work(self) -> list[dict]:
        return await self.work.find({}).to_list(None)

    async def drop_work(self, ids: list[str]) -> None:
        for chunk in chunks(ids):
            await _retry(lambda: self.work.delete_many({"_id": {"$in": chunk}}))

    # ------------------------------------------------------------------ alerts
    async def alert_ids(self, since: datetime | None = None) -> list[str]:
        query = {"created_at": {"$gte": since}} if since is not None else {}
        return [d["_id"] async for d in self.alerts.find(query, {"_id": 1})]

    async def get_alert(self, alert_id: str) -> Alert | None:
        doc = await self.alerts.find_one({"_id": _text(alert_id, "alert_id")})
        return StoredAlert.from_document(doc).alert() if doc else None

    async def get_alerts(self, ids: Iterable[str]) -> dict[str, Alert]:
        out = {}
        ids = list(ids)
        for chunk in chunks(ids, 500):
            async for doc in self.alerts.find({"_id": {"$in": chunk}}):
                out[doc["_id"]] = StoredAlert.from_document(doc).alert()
        return out

    async def insert_alert(self, alert: Alert, source: str = "pipeline") -> bool:
        """Store an alert the way the notify agent does (insert-only; False if already there), and log it
        where `pantau alerts` reads (``shared.alert_log``)."""
        doc = StoredAlert.of(alert, source).document()
        try:
            await _retry(lambda: self.alerts.insert_one(doc))
        except DuplicateKeyError:
            return False
        await self.alert_log.append(self.db, [alert])
        return True

    async def stored_content(self, content_id: str) -> StoredContent | None:
        """The post as received (its raw bytes are the evidence), while the retention policy keeps it."""
        return (await find_content(self.db, [_text(content_id, "content_id")])).get(content_id)

    # ------------------------------------------------------------------ items and groups
    async def add_item(self, doc: dict) -> bool:
        try:
            await _retry(lambda: self.items.insert_one(doc))
            return True
        except DuplicateKeyError:
            return False

    async def open_items(self) -> list[dict]:
        """Every item not yet finished (``pending`` or ``sending``): the dispatcher's working set."""
        return await self.items.find({}).to_list(None)

    async def pending_items(self) -> list[dict]:
        return [d for d in await self.open_items() if d.get("state") == "pending"]

    async def set_muted(self, changes: list[tuple[str, str | None]]) -> None:
        for chunk in chunks(changes):
            ops = [UpdateOne({"_id": doc_id}, {"$set": {"muted_by": reason}}) for doc_id, reason in chunk]
            await _retry(lambda: self.items.bulk_write(ops, ordered=False))

    async def load_groups(self) -> dict[str, dict]:
        return {d["_id"]: d async for d in self.groups.find({})}

    async def get_group(self, gid: str) -> dict | None:
        return await self.groups.find_one({"_id": gid})

    async def save_group(self, gid: str, fields: dict) -> None:
        await _retry(lambda: self.groups.update_one({"_id": gid}, {"$set": fields}, upsert=True))

    async def record_flood(self, rows: list[dict]) -> None:
        """Delivered items that count against a flood limit: ``{_id, flood_key, at}`` (insert-only)."""
        await _retry(lambda: insert_new(self.flood, rows))

    async def flood_since(self, since: datetime) -> list[dict]:
        return await self.flood.find({"at": {"$gte": since}}).to_list(None)

    async def prune_flood(self, before: datetime) -> None:
        await _retry(lambda: self.flood.delete_many({"at": {"$lt": before}}))

    # ------------------------------------------------------------------ notification log
    async def log_insert_pending(self, doc: dict) -> bool:
        try:
            await _retry(lambda: self.log.insert_one(doc))
            return True
        except DuplicateKeyError:
            return False

    async def log_get(self, key: str) -> dict | None:
        return await self.log.find_one({"_id": key})

    async def log_states(self, keys: Iterable[str]) -> dict[str, dict]:
        keys = list(keys)
        out: dict[str, dict] = {}
        for chunk in chunks(keys, 500):
            async for d in self.log.find({"_id": {"$in": chunk}}, {"state": 1, "item_doc_ids": 1}):
                out[d["_id"]] = d
        return out

    async def log_pending(self) -> list[dict]:
        return await self.log.find({"state": "pending"}).to_list(None)

    async def log_for_case(self, case_id: str) -> list[dict]:
        return await self.log.find({"case_ids": _text(case_id, "case_id")},
                                   {"integration": 1, "state": 1, "created_at": 1, "sent_at": 1,
                                    "status": 1}).to_list(None)

    async def log_mark(self, key: str, state: str, fields: dict) -> None:
        await _retry(lambda: self.log.update_one({"_id": key}, {"$set": {"state": state, **fields}}))

    async def claim_items(self, key: str, item_doc_ids: list[str]) -> None:
        """Nothing to write: the notification-log entry (inserted first, with ``item_doc_ids``) is the
        claim. Updating the open items here would scan the whole backlog once per batch."""

    async def finish_items(self, docs: list[dict], state: str, now: datetime,
                           flood_key: Callable[[dict], list[str]] | None = None) -> list[str]:
        """Archive finished items (insert-only into ``notify_items_done``) and count the delivered
        ones against their flood limits; the open copies are deleted later, in bulk, by
        ``compact_items`` (each delete scans the open collection). Returns the flood keys counted."""
        rows, counted, archived = [], [], []
        for d in docs:
            done = {**d, "state": state}
            if state == "notified":
                done["notified_at"] = now
                keys = flood_key(d) if flood_key else []
                if keys:
                    done["flood_key"] = keys[-1]
                    rows += [{"_id": f"{d['_id']}|{k}", "flood_key": k, "at": now} for k in keys]
                    counted += keys
            archived.append(done)
        await _retry(lambda: insert_new(self.items_done, archived))
        await self.record_flood(rows)
        return counted

    async def items_by_ids(self, ids: list[str]) -> list[dict]:
        out: list[dict] = []
        for chunk in chunks(list(ids), 500):
            out += await self.items.find({"_id": {"$in": chunk}}).to_list(None)
        return out

    async def done_item_ids(self) -> set[str]:
        return {d["_id"] async for d in self.items_done.find({}, {"_id": 1})}

    async def compact_items(self, ids: list[str]) -> None:
        """Delete archived items from the open collection: one statement per 500 ids."""
        for chunk in chunks(list(ids), 500):
            await _retry(lambda: self.items.delete_many({"_id": {"$in": chunk}}))

    async def finished_items(self, case_id: str | None = None) -> list[dict]:
        query = {"case_id": _text(case_id, "case_id")} if case_id is not None else {}
        return await self.items_done.find(query).to_list(None)

    async def add_failure(self, doc: dict) -> None:
        await _retry(lambda: self.failures.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True))

    # ------------------------------------------------------------------ silences
    async def active_silences(self, now: datetime) -> list[Silence]:
        rows = await self.silences.find({"ends_at": {"$gt": now}}).to_list(None)
        return [Silence.model_validate({k: v for k, v in r.items() if k in Silence.model_fields}) for r in rows]

    async def get_silence(self, silence_id: str) -> dict | None:
        return await self.silences.find_one({"_id": _text(silence_id, "silence_id")})

    async def add_silence(self, silence: Silence, now: datetime) -> None:
        await _retry(lambda: self.silences.update_one(
            {"_id": silence.id}, {"$setOnInsert": {**silence.model_dump(mode="python"), "created_at": now}}, upsert=True
        ))

    async def expire_silence(self, silence_id: str, now: datetime) -> bool:
        result = await _retry(lambda: self.silences.update_one(
            {"_id": _text(silence_id, "silence_id"), "ends_at": {"$gt": now}}, {"$set": {"ends_at": now}}))
        return result.modified_count == 1

    # ------------------------------------------------------------------ access
    async def api_key(self, key_id: str) -> dict | None:
        return await self.api_keys.find_one({"_id": _text(key_id, "key_id")})

    async def about_subject(self, nip: str) -> dict[str, list[dict]]:
        """Everything stored about one civil servant, for a data-subject request (UU PDP): their alerts and
        cases, the matches and review candidates that name them, the "not this person" judgements, and the
        audit entries of their cases. Each read scans its collection once: an operator's rare request."""
        nip = _text(nip, "nip")
        alerts = [StoredAlert.from_document(doc).readable() for doc in await self.alerts.find({"nip": nip}).to_list(None)]
        case_ids = [a["_id"] for a in alerts]
        cases = await self.cases.find({"_id": {"$in": case_ids}}).to_list(None) if case_ids else []
        audit = await self.audit.find({"case_id": {"$in": case_ids}}).to_list(None) if case_ids else []
        return {
            "alerts": alerts, "cases": cases,
            "matches": [row async for row in read_rows(self.db[MatchResult.COLLECTION], where=MatchResult.naming(nip),
                                                       time_field=MatchResult.TIME_FIELD) if nip in MatchResult.nips_in(row)],
            "review_candidates": await self.db[ReviewCandidate.COLLECTION].find({"nip": nip}).to_list(None),
            "judgements": await self.db[Judgement.COLLECTION].find({"nip": nip}).to_list(None),
            "audit": audit,
        }

    async def write_audit(self, record: dict) -> None:
        await self.audit.insert_one(dict(record))

    # ------------------------------------------------------------------ leases
    async def acquire_lease(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Single active dispatcher: a lease renewed every cycle (findAndModify; FerretDB-safe)."""
        try:
            doc = await _retry(lambda: self.leases.find_one_and_update(
                {"_id": name, "$or": [{"owner": owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": owner, "expires_at": now + ttl}},
                upsert=True, return_document=ReturnDocument.AFTER,
            ))
        except DuplicateKeyError:  # someone else holds it (upsert raced into an existing _id)
            return False
        return bool(doc and doc.get("owner") == owner)

    async def release_lease(self, name: str, owner: str) -> None:
        await self.leases.delete_one({"_id": name, "owner": owner})


_REVIEW_ID = re.compile(r"^[A-Za-z0-9_:|.\-]{1,200}$")


@dataclass(frozen=True)
class Review:
    """A review candidate as the analyst sees it: what the matcher proposed and what was decided."""
    candidate: ReviewCandidate
    decision: dict | None = None

    @property
    def status(self) -> str:
        return self.decision["decision"] if self.decision else "open"

    def row(self) -> dict:
        return {**self.candidate.model_dump(), "status": self.status,
                **({"decision": self.decision} if self.decision else {})}


class ReviewSource:
    """Review-band candidates for the analysts' queue: ``review_candidates`` (``shared.stored.ReviewCandidate``,
    written insert-only by match). Decisions go to the small ``review_decisions`` collection (insert-only),
    so a candidate document is never updated and a replay of the matcher never undoes a decision."""

    def __init__(self, db: AsyncDatabase):
        self.candidates = db[ReviewCandidate.COLLECTION]
        self.decisions = db["review_decisions"]

    @staticmethod
    def valid_id(review_id: str) -> bool:
        return isinstance(review_id, str) and bool(_REVIEW_ID.match(review_id))

    async def list(self, include_decided: bool = False) -> list[dict]:
        """Open candidates (or all), oldest first, as rows for the queue."""
        decided = {d["_id"]: d async for d in self.decisions.find({})}
        reviews = [Review(c, decided.get(c.review_id))
                   for c in map(ReviewCandidate.from_document, await self.candidates.find({}).to_list(None))]
        reviews.sort(key=lambda r: (r.candidate.created_at.isoformat(), r.candidate.review_id))
        return [r.row() for r in reviews if include_decided or r.status == "open"]

    async def get(self, review_id: str) -> Review | None:
        if not self.valid_id(review_id):
            return None
        doc = await self.candidates.find_one({"_id": review_id})
        if doc is None:
            return None
        return Review(ReviewCandidate.from_document(doc), await self.decisions.find_one({"_id": review_id}))

    async def decide(self, review_id: str, decision: str, reviewer: str, reason: str, at: datetime,
                     case_id: str | None = None) -> bool:
        """Insert-only: False if someone decided it first."""
        try:
            await _retry(lambda: self.decisions.insert_one({
                "_id": review_id, "decision": decision, "reviewer": reviewer, "reason": reason,
                "at": at, "case_id": case_id}))
            return True
        except DuplicateKeyError:
            return False
