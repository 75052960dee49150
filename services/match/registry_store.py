"""The registry in MongoDB: versioned loads with an atomic switch.

Each import writes a fresh collection ``registry_<version>``; only when it is complete does the
single ``registry_state`` document point at it (one-document update, atomic without
transactions). Readers therefore see the old version or the new one, never a half-loaded mix.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pymongo import MongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import database_name
from services.match.domain.registry_csv import RawRow
from shared.schemas import REGISTRY_CSV_HEADER, utcnow

STATE_ID = "active"
KEEP_PREVIOUS_VERSIONS = 1


def new_version(now: datetime | None = None) -> str:
    return (now or utcnow()).strftime("%Y%m%dT%H%M%S%fZ")


def collection_name(version: str) -> str:
    return f"registry_{version}"


def person_document(row: RawRow) -> dict[str, Any]:
    """A validated CSV row as stored: the CSV fields, ``_id`` = NIP, handles as sub-documents."""
    document = {name: getattr(row, name) for name in REGISTRY_CSV_HEADER if name != "handles"}
    document["_id"] = row.nip
    document["handles"] = [{"platform": platform, "handle": handle} for platform, handle in row.handles]
    return document


def drop_old_versions(db, keep: str) -> None:
    """Keep the active version and the one before it (for a quick rollback); drop the rest."""
    names = sorted(n for n in db.list_collection_names() if n.startswith("registry_2"))
    current = collection_name(keep)
    older = [n for n in names if n < current]
    for name in older[: max(0, len(older) - KEEP_PREVIOUS_VERSIONS)]:
        db.drop_collection(name)


async def active_version(db: AsyncDatabase) -> str | None:
    state = await db["registry_state"].find_one({"_id": STATE_ID})
    return state["version"] if state else None


@contextmanager
def sync_people(uri: str, version: str, batch_size: int = 10_000) -> Iterator[Iterator[dict[str, Any]]]:
    """Stream one version's people with a synchronous client (for building the index in a thread)."""
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        yield client[database_name(uri)][collection_name(version)].find({}, batch_size=batch_size)
    finally:
        client.close()
