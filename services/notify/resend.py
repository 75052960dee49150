"""Re-sending a failed notification, for operators (``pantau notify resend``, and the API's
``POST /v1/notify/failures/{id}/resend`` through ``services.agency_api.routers.notify_failures``).

A failed delivery keeps its log entry (``notify_log``: the exact body, target and key) and a
``notify_failures`` record. Resending puts the entry back to ``pending`` with a fresh retry budget;
the dispatcher's recovery step sends it (same body, same ``Idempotency-Key``: a receiver that
stored the key will not act twice) within its safety-net period (60 s) or at its next start.
Works on the collections directly, so it needs neither the dispatcher nor ``NotifyStore``.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

LOG, FAILURES, ITEMS, AUDIT = "notify_log", "notify_failures", "notify_items", "audit"


class ResendError(Exception):
    def __init__(self, code: str, message: str, status: int):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class Resent:
    id: str
    integration: str
    receiver: str
    previous_state: str
    resend_count: int

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "integration": self.integration, "receiver": self.receiver,
                "previous_state": self.previous_state, "state": "pending", "resend_count": self.resend_count}


def resend_plan(failure: dict | None, entry: dict | None, failure_id: str) -> str | None:
    """Why this failure cannot be resent (None: it can). Pure, so the rules are tested alone."""
    if failure is None:
        return "not_found"
    if failure.get("kind", "delivery") != "delivery" or entry is None:
        return "not_resendable"
    if entry.get("state") == "sent":
        return "already_sent"
    if entry.get("state") == "pending":
        return "already_pending"
    return None


MESSAGES = {
    "not_found": ("no notification failure {id} — list them with `pantau notify failures`", 404),
    "not_resendable": ("failure {id} has no stored notification to resend (e.g. an unresolved recipient): "
                       "fix agencies.yaml/routes.yaml; the next event is routed again", 409),
    "already_sent": ("notification {id} was delivered since; nothing to resend", 409),
    "already_pending": ("notification {id} is already queued for sending", 409),
}


async def resend_failure(db, failure_id: str, actor: str, now: datetime) -> Resent:
    failure = await db[FAILURES].find_one({"_id": failure_id})
    entry = await db[LOG].find_one({"_id": failure_id}) if failure else None
    problem = resend_plan(failure, entry, failure_id)
    if problem:
        message, status = MESSAGES[problem]
        raise ResendError(problem, message.format(id=failure_id), status)
    count = int(entry.get("resend_count", 0)) + 1
    await db[LOG].update_one({"_id": failure_id, "state": entry["state"]}, {"$set": {
        "state": "pending", "retry": None, "resent_at": now, "resent_by": actor, "resend_count": count}})
    if entry.get("item_doc_ids"):
        await db[ITEMS].update_many({"_id": {"$in": entry["item_doc_ids"]}}, {"$set": {"state": "sending", "log_key": failure_id}})
    await db[FAILURES].update_one({"_id": failure_id}, {"$set": {"resent_at": now, "resent_by": actor, "resend_count": count}})
    await db[AUDIT].insert_one({"_id": f"resend-{uuid.uuid4().hex}", "at": now, "event": "notification.resent",
                                "actor": actor, "notification_id": failure_id, "integration": entry.get("integration"),
                                "receiver": entry.get("receiver"), "resend_count": count})
    return Resent(failure_id, entry.get("integration", ""), entry.get("receiver", ""), entry["state"], count)


async def list_failures(db, since: datetime | None = None, limit: int = 100, include_resent: bool = True) -> list[dict]:
    rows = await db[FAILURES].find({}).sort("created_at", -1).limit(limit).to_list(None)
    out = []
    for row in rows:
        created = row.get("created_at")
        if since is not None and created is not None and created < since:
            continue
        if not include_resent and row.get("resent_at"):
            continue
        out.append({"id": row.pop("_id"), **row})
    return out
