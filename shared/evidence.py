"""Reading posts kept as evidence: ``case_content`` (posts behind a case) first, then the day buckets.

A post's day bucket is its received day, which a case or a review does not record, so a read looks
in the buckets newest first and stops once every id is found. Off the hot path only (the desk, an
accepted review, re-screening, retention): each bucket read is a scan on FerretDB, of one day.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from shared.pages import read_rows
from shared.retention import CONTENT_PREFIX, buckets
from shared.stored import StoredContent


async def content_days(db) -> list[tuple[date, str]]:
    """(day, collection) of the day buckets that exist, newest first."""
    return buckets(await db.list_collection_names(), CONTENT_PREFIX)


async def find_content(db, ids: Iterable[str], since: date | None = None,
                       include_cases: bool = True) -> dict[str, StoredContent]:
    """The stored posts among ``ids`` (received on or after ``since`` when given)."""
    wanted = set(ids)
    found: dict[str, StoredContent] = {}
    sources = [StoredContent.CASE_COLLECTION] if include_cases else []
    sources += [name for day, name in await content_days(db) if since is None or day >= since]
    for collection in sources:
        missing = sorted(wanted - found.keys())
        if not missing:
            break
        # one pass over the bucket however many ids; ``read_rows`` yields only those asked for, each once
        async for row in read_rows(db[collection], ids=missing, time_field=StoredContent.TIME_FIELD):
            found[row["_id"]] = StoredContent.from_document(row)
    return found


async def read_day(db, collection: str) -> list[StoredContent]:
    """A whole day bucket (re-screening reads the days it covers)."""
    return [StoredContent.from_document(row) async for row in read_rows(db[collection], time_field=StoredContent.TIME_FIELD)]
