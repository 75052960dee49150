"""MongoDB persistence for notify (PyMongo ``AsyncMongoClient``; FerretDB-compatible: plain and
unique indexes, upserts, find-and-modify; no transactions, TTL, $lookup or change streams).

Collections
  cases            one per alert (``_id`` = alert id): workflow state, history, labels, routing flags
  notify_items     one per (integration, group key, case event): pending -> sending -> notified | failed
  notify_groups    per (integration, group key): last send time, reminder count, backlog flag
  notify_log       the notification log: ``_id`` = key of (integration, group key, content-set hash),
                   plus a unique index on those three fields. Written as ``pending`` *before* sending,
                   then ``sent`` or ``failed``. The key is the Idempotency-Key receivers see.
  notify_failures  dead letters: exhausted retries, permanent refusals, unresolved recipients
  silences, api_keys, audit, notify_leases
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Iterable

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notify.domain.cases import Case, new_case
from services.notify.domain.silences import Silence
from shared.mongo import insert_new
from shared.schemas import Alert

CASE_FIELDS = set(Case.model_fields)


def item_key(integration: str, group_key: str, item_id: str) -> str:
    return "it_" + hashlib.sha256(f"{integration}\x1f{group_key}\x1f{item_id}".encode()).hexdigest()[:32]


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k in CASE_FIELDS}


class NotifyStore:
    def __init__(self, db: AsyncDatabase):
        self.db = db
        self.alerts = db["alerts"]
        self.cases = db["cases"]
        self.items = db["notify_items"]
        self.groups = db["notify_groups"]
        self.log = db["notify_log"]
        self.failures = db["notify_failures"]
        self.silences = db["silences"]
        self.api_keys = db["api_keys"]
        self.audit = db["audit"]
        self.leases = db["notify_leases"]

    async def ensure_indexes(self) -> None:
        await self.log.create_index(
            [("integration", ASCENDING), ("group_key", ASCENDING), ("content_hash", ASCENDING)],
            unique=True, name="log_unique_key",
        )
        await self.log.create_index([("state", ASCENDING)], name="log_state")
        await self.items.create_index([("state", ASCENDING)], name="items_state")
        await self.items.create_index([("case_id", ASCENDING)], name="items_case")
        await self.items.create_index([("flood_key", ASCENDING), ("notified_at", ASCENDING)], name="items_flood")
        await self.cases.create_index([("agency_code", ASCENDING), ("created_at", ASCENDING)], name="cases_agency")
        await self.cases.create_index([("status", ASCENDING)], name="cases_status")
        await self.cases.create_index([("needs_routing", ASCENDING)], name="cases_routing")
        await self.cases.create_index([("nip", ASCENDING)], name="cases_nip")
        await self.api_keys.create_index([("key_hash", ASCENDING)], unique=True, name="api_key_hash")
        await self.alerts.create_index([("created_at", ASCENDING)], name="alerts_created")

    # ------------------------------------------------------------------ cases
    @staticmethod
    def _case_document(alert: Alert, now: datetime) -> dict:
        case = new_case(alert.alert_id, alert.agency_code, now)
        return {"_id": case.case_id, **case.model_dump(mode="python"), "nip": alert.subject.nip,
                "form": alert.classification.form, "needs_routing": True, "routed_events": [], "labels": {}}

    async def ensure_case(self, alert: Alert, now: datetime) -> bool:
        """Create the case for an alert if it does not exist; True if created."""
        return not await self.ensure_cases([alert], now)

    async def ensure_cases(self, alerts: Iterable[Alert], now: datetime) -> set[str]:
        """Open the cases of many alerts with one unordered insert; the ids that existed already."""
        return await insert_new(self.cases, [self._case_document(alert, now) for alert in alerts])

    async def get_case_doc(self, case_id: str) -> dict | None:
        return await self.cases.find_one({"_id": case_id})

    @staticmethod
    def case_from(doc: dict) -> Case:
        return Case.model_validate(_strip(doc))

    async def save_case(self, case: Case, expected_version: int, extra: dict | None = None) -> bool:
        """Optimistic write: only if nobody else changed the case since we read it."""
        doc = {**case.model_dump(mode="python"), "version": expected_version + 1, **(extra or {})}
        doc.pop("case_id", None)
        result = await self.cases.update_one({"_id": case.case_id, "version": expected_version}, {"$set": doc})
        return result.modified_count == 1

    async def get_alert(self, alert_id: str) -> Alert | None:
        doc = await self.alerts.find_one({"_id": alert_id})
        if doc is None:
            return None
        return Alert.model_validate({k: v for k, v in doc.items() if k in Alert.model_fields})

    async def get_alerts(self, ids: Iterable[str]) -> dict[str, Alert]:
        out = {}
        async for doc in self.alerts.find({"_id": {"$in": list(ids)}}):
            out[doc["_id"]] = Alert.model_validate({k: v for k, v in doc.items() if k in Alert.model_fields})
        return out

    # ------------------------------------------------------------------ items and groups
    async def add_item(self, doc: dict) -> bool:
        try:
            await self.items.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    async def pending_items(self) -> list[dict]:
        return await self.items.find({"state": "pending"}).to_list(None)

    async def group_sent_ids(self, integration: str, group_key: str) -> set[str]:
        rows = await self.items.find(
            {"integration": integration, "group_key": group_key, "state": {"$in": ["sending", "notified", "failed"]}},
            {"item_id": 1},
        ).to_list(None)
        return {r["item_id"] for r in rows}

    async def get_group(self, gid: str) -> dict | None:
        return await self.groups.find_one({"_id": gid})

    async def save_group(self, gid: str, fields: dict) -> None:
        await self.groups.update_one({"_id": gid}, {"$set": fields}, upsert=True)

    async def flood_count(self, key: str, since: datetime) -> int:
        return await self.items.count_documents({"flood_key": key, "notified_at": {"$gte": since}})

    # ------------------------------------------------------------------ notification log
    async def log_insert_pending(self, doc: dict) -> bool:
        try:
            await self.log.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    async def log_get(self, key: str) -> dict | None:
        return await self.log.find_one({"_id": key})

    async def log_pending(self) -> list[dict]:
        return await self.log.find({"state": "pending"}).to_list(None)

    async def log_mark(self, key: str, state: str, fields: dict) -> None:
        await self.log.update_one({"_id": key}, {"$set": {"state": state, **fields}})

    async def claim_items(self, key: str, item_doc_ids: list[str]) -> None:
        await self.items.update_many({"_id": {"$in": item_doc_ids}}, {"$set": {"state": "sending", "log_key": key}})

    async def finish_items(self, item_doc_ids: list[str], state: str, now: datetime) -> None:
        fields: dict[str, Any] = {"state": state}
        if state == "notified":
            fields["notified_at"] = now
        await self.items.update_many({"_id": {"$in": item_doc_ids}}, {"$set": fields})

    async def add_failure(self, doc: dict) -> None:
        await self.failures.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)

    # ------------------------------------------------------------------ silences
    async def active_silences(self, now: datetime) -> list[Silence]:
        rows = await self.silences.find({"ends_at": {"$gt": now}}).to_list(None)
        return [Silence.model_validate({k: v for k, v in r.items() if k in Silence.model_fields}) for r in rows]

    async def add_silence(self, silence: Silence, now: datetime) -> None:
        await self.silences.update_one(
            {"_id": silence.id}, {"$setOnInsert": {**silence.model_dump(mode="python"), "created_at": now}}, upsert=True
        )

    async def expire_silence(self, silence_id: str, now: datetime) -> bool:
        result = await self.silences.update_one({"_id": silence_id, "ends_at": {"$gt": now}}, {"$set": {"ends_at": now}})
        return result.modified_count == 1

    # ------------------------------------------------------------------ leases
    async def acquire_lease(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Single active dispatcher: a lease renewed every cycle (findAndModify; FerretDB-safe)."""
        try:
            doc = await self.leases.find_one_and_update(
                {"_id": name, "$or": [{"owner": owner}, {"expires_at": {"$lt": now}}]},
                {"$set": {"owner": owner, "expires_at": now + ttl}},
                upsert=True, return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:  # someone else holds it (upsert raced into an existing _id)
            return False
        return bool(doc and doc.get("owner") == owner)

    async def release_lease(self, name: str, owner: str) -> None:
        await self.leases.delete_one({"_id": name, "owner": owner})
