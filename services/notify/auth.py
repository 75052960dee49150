"""API keys for the agency API: ``pn_<key id>_<secret>``, printed once, stored as SHA-256.

The secret is 32 random bytes, so a fast hash is sufficient (no password stretching needed);
lookup is by the hash (unique index), comparison in constant time.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from shared.schemas import utcnow

Role = Literal["agency", "analyst", "admin"]
_KEY_RE = re.compile(r"^pn_([a-z0-9]{12})_([A-Za-z0-9_\-]{43})$")
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]*$")


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


def key_document(key: str, key_id: str, agency_code: str, role: str, label: str) -> dict:
    if not _CODE_RE.match(agency_code):
        raise ValueError(f"agency code {agency_code!r} must be uppercase ASCII letters, digits and '-'")
    if role not in ("agency", "analyst", "admin"):
        raise ValueError("role must be agency, analyst or admin")
    return {"_id": key_id, "key_hash": hash_key(key), "agency_code": agency_code, "role": role,
            "label": label, "created_at": utcnow(), "revoked": False}


async def lookup(api_keys, presented: str | None) -> Principal | None:
    if not presented:
        return None
    m = _KEY_RE.match(presented.strip())
    if not m:
        return None
    digest = hash_key(presented.strip())
    doc = await api_keys.find_one({"_id": m.group(1)})
    if not doc or doc.get("revoked") or not hmac.compare_digest(doc["key_hash"], digest):
        return None
    return Principal(doc["_id"], doc["agency_code"], doc["role"], doc.get("label", ""))


async def create_api_key(agency_code: str, role: str, label: str = "") -> tuple[str, str]:
    """For ``pantau agency key create``: store the hash, return (key, key id) to print once."""
    from shared.mongo import connect
    from shared.settings import get_settings

    key, key_id = new_key()
    doc = key_document(key, key_id, agency_code, role, label)
    client, db = connect(get_settings())
    try:
        await db["api_keys"].create_index("key_hash", unique=True, name="api_key_hash")
        await db["api_keys"].insert_one(doc)
    finally:
        await client.close()
    return key, key_id
