"""API keys for the agency API: ``pn_<key id>_<secret>``, printed once, stored as SHA-256.

The secret is 32 random bytes, so a fast hash is sufficient (no password stretching needed);
lookup is by the key id, comparison in constant time. A key may expire (``expires_at``) and can be
revoked or rotated (``pantau agency key list|revoke|rotate``); a rotated key can stay valid for a
grace period so the agency can switch without an outage. Keys are only issued for agencies in
``agencies.yaml``. Every key operation is written to the ``audit`` collection (the API's audit
middleware records every request with the key id that made it).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from shared.schemas import as_aware, utcnow

Role = Literal["agency", "analyst", "admin"]
ROLES = ("agency", "analyst", "admin")
_KEY_RE = re.compile(r"^pn_([a-z0-9]{12})_([A-Za-z0-9_\-]{43})$")
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]*$")


class UnknownAgency(ValueError):
    """A key for an agency code the directory does not know."""


@dataclass(frozen=True)
class Principal:
    key_id: str
    agency_code: str
    role: Role
    label: str = ""

    def sees_all_agencies(self) -> bool:
        return self.role in ("analyst", "admin")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    key_id = secrets.token_hex(6)
    return f"pn_{key_id}_{secrets.token_urlsafe(32)}", key_id


def parse_expiry(value: str | None, now: datetime | None = None) -> datetime | None:
    """``90d``/``12h``/``2w`` from now, or an ISO date/time (UTC without a zone); None: never."""
    from services.notify.domain.durations import parse_duration

    if value is None or not value.strip() or value.strip().lower() == "never":
        return None
    now = now or utcnow()
    try:
        when = now + parse_duration(value.strip())
    except ValueError:
        try:
            when = as_aware(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise ValueError(f"expiry {value!r}: give a duration like 90d or 12h, or an ISO date like 2027-06-30") from None
    if when <= now:
        raise ValueError(f"expiry {value!r} is not in the future")
    return when


def key_state(doc: dict, now: datetime | None = None) -> str:
    """``active``, ``revoked`` or ``expired``."""
    if doc.get("revoked"):
        return "revoked"
    expires = as_aware(doc.get("expires_at"))
    if expires is not None and expires <= (now or utcnow()):
        return "expired"
    return "active"


def check_agency(agency_code: str, directory) -> str:
    """The code the directory files ``agency_code`` under (a former code becomes its successor's, as alerts
    and cases do, so the key sees them); ``UnknownAgency`` when it does not resolve."""
    entry = directory.resolve(agency_code)
    if entry is None:
        raise UnknownAgency(f"agency {agency_code!r} is not in agencies.yaml (nor central_agencies.yaml) — "
                            "add it there first (or check the code; "
                            "`pantau routes test agency=CODE` shows how a code resolves)")
    return entry.code


def key_document(key: str, key_id: str, agency_code: str, role: str, label: str,
                 expires_at: datetime | None = None) -> dict:
    if not _CODE_RE.match(agency_code):
        raise ValueError(f"agency code {agency_code!r} must be uppercase ASCII letters, digits and '-'")
    if role not in ROLES:
        raise ValueError("role must be agency, analyst or admin")
    return {"_id": key_id, "key_hash": hash_key(key), "agency_code": agency_code, "role": role,
            "label": label, "created_at": utcnow(), "revoked": False, "expires_at": expires_at}


async def lookup(api_keys, presented: str | None, now: datetime | None = None, audit=None) -> Principal | None:
    """The principal for a presented key, or None. With ``audit`` (the audit collection), a
    well-formed key that is refused (revoked, expired, wrong secret) is recorded with its key id."""
    if not presented:
        return None
    m = _KEY_RE.match(presented.strip())
    if not m:
        return None
    digest = hash_key(presented.strip())
    doc = await api_keys.find_one({"_id": m.group(1)})
    if not doc:
        refused = "unknown key id"
    elif not hmac.compare_digest(doc["key_hash"], digest):
        refused = "wrong secret"
    elif key_state(doc, now) != "active":
        refused = key_state(doc, now)
    else:
        return Principal(doc["_id"], doc["agency_code"], doc["role"], doc.get("label", ""))
    if audit is not None:
        await audit.insert_one({"_id": f"key-{uuid.uuid4().hex}", "at": utcnow(), "event": "api_key.refused",
                                "key_id": m.group(1), "agency_code": doc.get("agency_code") if doc else None,
                                "reason": refused})
    return None


def audit_record(event: str, doc: dict, actor: str = "cli", **extra: Any) -> dict:
    """An ``audit`` entry for a key operation (never the key or its hash)."""
    return {"_id": f"key-{uuid.uuid4().hex}", "at": utcnow(), "event": event, "actor": actor,
            "key_id": doc["_id"], "agency_code": doc["agency_code"], "role": doc["role"], **extra}


def public_view(doc: dict, now: datetime | None = None) -> dict:
    """A key document as `key list` shows it: no hash."""
    return {"key_id": doc["_id"], "agency_code": doc["agency_code"], "role": doc["role"], "label": doc.get("label", ""),
            "created_at": doc.get("created_at"), "expires_at": doc.get("expires_at"),
            "revoked_at": doc.get("revoked_at"), "rotated_to": doc.get("rotated_to"), "state": key_state(doc, now)}


# -- store operations (``pantau agency key ...``) ---------------------------------------------
class KeyStore:
    def __init__(self, db):
        self.keys = db["api_keys"]
        self.audit = db["audit"]

    async def create(self, agency_code: str, role: str, label: str = "", expires_at: datetime | None = None,
                     directory=None, actor: str = "cli", event: str = "api_key.created", **extra) -> tuple[str, dict]:
        if directory is not None:
            agency_code = check_agency(agency_code, directory)
        key, key_id = new_key()
        doc = key_document(key, key_id, agency_code, role, label, expires_at)
        await self.keys.create_index("key_hash", unique=True, name="api_key_hash")
        await self.keys.insert_one(doc)
        await self.audit.insert_one(audit_record(event, doc, actor, expires_at=expires_at, **extra))
        return key, doc

    async def get(self, key_id: str) -> dict | None:
        return await self.keys.find_one({"_id": key_id})

    async def list(self, agency_code: str | None = None) -> list[dict]:
        query = {"agency_code": agency_code} if agency_code else {}
        return await self.keys.find(query, {"key_hash": 0}).sort("created_at", 1).to_list(None)

    async def last_used(self, key_ids: list[str]) -> dict[str, datetime]:
        """Last API request per key, from the audit log the API writes."""
        if not key_ids:
            return {}
        from pymongo.errors import OperationFailure

        try:
            cursor = await self.audit.aggregate([
                {"$match": {"key_id": {"$in": key_ids}, "method": {"$exists": True}}},
                {"$group": {"_id": "$key_id", "last": {"$max": "$at"}}},
            ])
            rows = await cursor.to_list(None)
        except OperationFailure:  # a store without $group/$max: the list simply shows no last use
            return {}
        return {r["_id"]: r["last"] for r in rows}

    async def revoke(self, key_id: str, reason: str = "", actor: str = "cli") -> dict:
        doc = await self.get(key_id)
        if doc is None:
            raise KeyError(key_id)
        now = utcnow()
        await self.keys.update_one({"_id": key_id}, {"$set": {"revoked": True, "revoked_at": now, "revoke_reason": reason}})
        await self.audit.insert_one(audit_record("api_key.revoked", doc, actor, reason=reason))
        return {**doc, "revoked": True, "revoked_at": now}

    async def rotate(self, key_id: str, grace: timedelta = timedelta(0), actor: str = "cli") -> tuple[str, dict, dict]:
        """A new key for the same agency, role and label; the old one stops after ``grace``."""
        old = await self.get(key_id)
        if old is None:
            raise KeyError(key_id)
        if key_state(old) != "active":
            raise ValueError(f"key {key_id} is {key_state(old)}; create a new one with `pantau agency key create`")
        key, new = await self.create(old["agency_code"], old["role"], old.get("label", ""), as_aware(old.get("expires_at")),
                                     actor=actor, event="api_key.rotated", rotated_from=key_id)
        now = utcnow()
        if grace > timedelta(0):
            until = now + grace
            old_expiry = as_aware(old.get("expires_at"))
            fields = {"expires_at": min(until, old_expiry) if old_expiry else until, "rotated_to": new["_id"]}
        else:
            fields = {"revoked": True, "revoked_at": now, "revoke_reason": "rotated", "rotated_to": new["_id"]}
        await self.keys.update_one({"_id": key_id}, {"$set": fields})
        return key, new, {**old, **fields}
