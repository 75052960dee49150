"""MongoDB adapter on PyMongo's native asyncio API (``AsyncMongoClient``).

Motor is deprecated (2026-05-14); ``AsyncMongoClient`` is its successor from the same team.
Locally the server is FerretDB (MongoDB wire protocol), so only what FerretDB v1 supports is used:
plain and unique indexes, upserts, findAndModify, simple aggregations. No transactions, TTL
indexes or change streams.
"""
from __future__ import annotations

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
    """Insert a document keyed by its deterministic ``_id``; False if it was already there."""
    try:
        await collection.insert_one(document)
        return True
    except DuplicateKeyError:
        return False


class LazyDatabase:
    """Creates the client on first use, inside the running event loop (one client per loop)."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._db: AsyncDatabase | None = None

    def __call__(self) -> AsyncDatabase:
        if self._db is None:
            _, self._db = connect(self._settings)
        return self._db
