"""MongoDB adapter on PyMongo's native asyncio API (``AsyncMongoClient``).

Motor is deprecated (2026-05-14); ``AsyncMongoClient`` is its successor from the same team.
Locally the server is FerretDB (MongoDB wire protocol), so only what FerretDB v1 supports is used:
plain and unique indexes, upserts, findAndModify, simple aggregations. No transactions, TTL
indexes or change streams.
"""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, OperationFailure
from pymongo.uri_parser import parse_uri

from shared.settings import Settings

T = TypeVar("T")


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


UPDATE_CHUNK = 20
"""Statements per update command. FerretDB v1 never answers an ``update`` of ~100 statements (80 on
SQLite is fine, 50 hangs on PostgreSQL) and then answers nothing at all until restarted."""


DUPLICATE_KEY_CODES = frozenset({11000, 11001})


def is_locked(exc: Exception) -> bool:
    """FerretDB's SQLite answer to a concurrent writer: passes by itself."""
    return isinstance(exc, OperationFailure) and "database is locked" in str(exc).lower()


async def retry_locked(op: Callable[[], Awaitable[T]], attempts: int = 6, base: float = 0.05) -> T:
    """Run ``op``; retry "database is locked" with backoff."""
    for attempt in range(attempts):
        try:
            return await op()
        except OperationFailure as exc:
            if not is_locked(exc) or attempt == attempts - 1:
                raise
            await asyncio.sleep(base * (2 ** attempt))
    raise AssertionError("unreachable")


async def insert_new(collection, documents: Sequence[dict[str, Any]]) -> set[Any]:
    """Insert documents keyed by deterministic ``_id``s in one unordered bulk; the ids already there.

    The insert is the duplicate check: on FerretDB v1 every lookup scans the whole collection
    (``_id`` included), while ``insert_many`` stays fast at any size. A replay or a re-submission
    comes back as "already there", never as a second document.
    """
    if not documents:
        return set()
    try:
        await collection.insert_many(list(documents), ordered=False)
        return set()
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") not in DUPLICATE_KEY_CODES for error in errors) or not errors:
            raise
        return {documents[error["index"]]["_id"] for error in errors}


async def find_ids(collection, ids: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """Documents by ``_id`` (one scan); only on small collections (a FerretDB filter reads them all)."""
    ids = list(ids)
    if not ids:
        return {}
    return {doc["_id"]: doc async for doc in collection.find({"_id": {"$in": ids}})}


async def bulk_write_chunked(collection, operations: Sequence[Any], chunk: int = UPDATE_CHUNK) -> None:
    """``bulk_write`` in commands of at most ``chunk`` statements (see UPDATE_CHUNK for why)."""
    if chunk > UPDATE_CHUNK:
        raise ValueError(f"update commands above {UPDATE_CHUNK} statements can hang FerretDB")
    for start in range(0, len(operations), chunk):
        await collection.bulk_write(list(operations[start:start + chunk]), ordered=True)


class InFlight:
    """One small document per batch being stored and published: the ids it carries.

    Why: a stage that stores, then publishes, must tell a replay after a crash (stored, maybe never
    published: publish again) from a re-submission (stored and published: drop it), without a
    lookup in the big collection. The mark goes in before the store write and out after the
    broker's acknowledgement, so "stored before *and* named by an older mark" means interrupted.
    One mark per batch, not per record: on FerretDB that is one insert and one delete per batch.
    """

    def __init__(self, collection):
        self.collection = collection
        self._id: str | None = None
        self._older: list[dict[str, Any]] = []

    async def begin(self, ids: Iterable[str]) -> None:
        """Mark the batch; remember older marks naming any of its ids (left by a crash or a failed try)."""
        ids = list(ids)
        self._older = await self.collection.find({"ids": {"$in": ids}}).to_list(None)
        self._id = uuid.uuid4().hex
        await self.collection.insert_one({"_id": self._id, "ids": ids, "at": datetime.now(timezone.utc)})

    def interrupted(self, stored_before: set[str]) -> set[str]:
        """Which of the ids found already stored were in a batch that never finished."""
        return stored_before & {i for mark in self._older for i in mark["ids"]}

    async def end(self, ids: Iterable[str]) -> None:
        """This batch is published: drop its mark, and its ids from the marks of interrupted batches."""
        await self.collection.delete_one({"_id": self._id})
        done = set(ids)
        for mark in self._older:  # only after a crash or a failed try
            left = [i for i in mark["ids"] if i not in done]
            if left:
                await self.collection.update_one({"_id": mark["_id"]}, {"$set": {"ids": left}})
            else:
                await self.collection.delete_one({"_id": mark["_id"]})
        self._older = []


class LazyDatabase:
    """Creates the client on first use, inside the running event loop (one client per loop)."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._db: AsyncDatabase | None = None

    def __call__(self) -> AsyncDatabase:
        if self._db is None:
            _, self._db = connect(self._settings)
        return self._db
