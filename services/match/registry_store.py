"""The registry in MongoDB: versioned loads with an atomic switch.

Each import writes a fresh collection ``registry_<version>``; only when it is complete does the
single ``registry_state`` document point at it (one-document update, atomic without
transactions). Readers therefore see the old version or the new one, never a half-loaded mix.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pymongo import MongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import database_name
from services.match.domain.registry_csv import RawRow
from shared.schemas import utcnow

STATE_ID = "active"
CHUNKED = "chunks"  # ``layout`` of a version stored by ``packed_chunk`` (in its ``registry_versions`` summary)
KEEP_PREVIOUS_VERSIONS = 1


def new_version(now: datetime | None = None) -> str:
    return (now or utcnow()).strftime("%Y%m%dT%H%M%S%fZ")


def collection_name(version: str) -> str:
    return f"registry_{version}"


# A chunk also ends once its fields reach about this many characters: far under the 16 MB document
# limit even when its last row holds 11 fields at csv's 131,072-character limit each.
CHUNK_CHARS = 4_000_000


def chunks(rows: Iterable[RawRow], max_rows: int, max_chars: int = CHUNK_CHARS) -> Iterator[list[RawRow]]:
    """Consecutive rows in chunks of ``max_rows``, or fewer once their fields reach ``max_chars``."""
    chunk: list[RawRow] = []
    chars = 0
    for row in rows:
        chunk.append(row)
        chars += sum(map(len, row[1:11])) + sum(len(platform) + len(handle) + 2 for platform, handle in row.handles)
        if len(chunk) >= max_rows or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def packed_chunk(sequence: int, rows: Sequence[RawRow]) -> dict[str, Any]:
    """Validated rows as stored: one document holds a chunk of them as CSV lines (the file's columns,
    handles as ``platform:handle;...``). FerretDB v1 spends about 0.1 ms of its own CPU per document
    it returns, so one document per person made the match service's load of a national registry
    take about ten minutes (127 s per million people, measured); chunks of thousands load in seconds."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(row.csv_fields() for row in rows)
    return {"_id": sequence, "count": len(rows), "rows": buffer.getvalue()}


def chunk_rows(documents: Iterable[Mapping[str, Any]]) -> Iterator[list[str]]:
    """The rows of stored chunks, as CSV-order string lists (chunk order does not matter: the index,
    and every match, is the same for any row order)."""
    for document in documents:
        yield from csv.reader(io.StringIO(document["rows"], newline=""))


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
def sync_people(uri: str, version: str) -> Iterator[tuple[bool, Iterator[Any]]]:
    """Stream one version with a synchronous client (for building the index in a thread):
    ``(True, CSV-order rows)`` for a version stored in chunks, ``(False, person documents)`` for
    one imported before chunks (one document per person), which loads as it always did."""
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=5000)
    try:
        db = client[database_name(uri)]
        collection = db[collection_name(version)]
        summary = db["registry_versions"].find_one({"_id": version}, {"layout": 1}) or {}
        if summary.get("layout") == CHUNKED:
            yield True, chunk_rows(collection.find({}, batch_size=4))
        else:
            yield False, collection.find({}, batch_size=10_000)
    finally:
        client.close()
