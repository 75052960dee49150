"""MongoDB adapter on PyMongo's native asyncio API (``AsyncMongoClient``).

Motor is deprecated (2026-05-14); ``AsyncMongoClient`` is its successor from the same team.
Locally the server is FerretDB (MongoDB wire protocol), so only what FerretDB v1 supports is used:
plain and unique indexes, upserts, findAndModify, simple aggregations. No transactions, TTL
indexes or change streams.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.uri_parser import parse_uri

from shared.settings import Settings


def database_name(uri: str) -> str:
    return parse_uri(uri).get("database") or "pantau"


def connect(settings: Settings) -> tuple[AsyncMongoClient, AsyncDatabase]:
    """One client per event loop (AsyncMongoClient is not thread-safe)."""
    client: AsyncMongoClient = AsyncMongoClient(
        settings.mongodb_uri, serverSelectionTimeoutMS=5000, tz_aware=True
    )
    return client, client[database_name(settings.mongodb_uri)]


async def ping(db: AsyncDatabase) -> bool:
    try:
        await db.command("ping")
        return True
    except Exception:  # noqa: BLE001 - readiness only reports yes/no
        return False


async def insert_once(collection, document: dict[str, Any]) -> bool:
    """Insert a document keyed by its deterministic ``_id``; False if it was already there.

    This is also our existence probe: on FerretDB/SQLite a lookup of a missing ``_id`` scans the
    collection (tens of ms at a few thousand documents), while an insert, duplicate or not, takes
    a few ms. So stages insert first and read only when the insert says "already there".
    """
    try:
        await collection.insert_one(document)
        return True
    except DuplicateKeyError:
        return False


async def store_result(collection, document: dict[str, Any]) -> None:
    """Idempotent write of a recomputable result: insert, and replace only when replaying."""
    if not await insert_once(collection, document):
        await collection.replace_one({"_id": document["_id"]}, document)


async def already_sent(db: AsyncDatabase, outbox: str, key: str) -> bool:
    """Was ``key``'s outward effect recorded in ``outbox``? Asked only on replays and duplicates."""
    return await db[outbox].find_one({"_id": key}, {"_id": 1}) is not None


async def send_and_record(db: AsyncDatabase, outbox: str, key: str, send) -> None:
    """Run ``send()``, then record it under ``key``.

    Called after the item itself was stored. A crash between ``send()`` and the record means one
    repeat of the same key on replay: at-least-once, never lost, never under a new key.
    """
    await send()
    await insert_once(db[outbox], {"_id": key, "at": datetime.now(timezone.utc)})


class LazyDatabase:
    """Creates the client on first use, inside the running event loop (one client per loop)."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._db: AsyncDatabase | None = None

    def __call__(self) -> AsyncDatabase:
        if self._db is None:
            _, self._db = connect(self._settings)
        return self._db
