"""Loading a registry CSV into MongoDB as a new version (the adapter behind `pantau registry import`).

Streaming and batched, with a progress callback. Rows that fail validation are reported by line
number and reason and never loaded. The new version is activated only if the share of bad rows
stays under ``max_error_rate``; otherwise the previous version stays active and the half-written
collection is dropped.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pymongo import MongoClient

from services.match import registry_store
from services.match.domain.registry_csv import RawRow, RowError
from shared.mongo import database_name
from shared.schemas import utcnow


@dataclass
class ImportReport:
    version: str
    rows_read: int = 0
    rows_loaded: int = 0
    bad_rows: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    activated: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.rows_loaded / self.seconds if self.seconds else 0.0

    def summary(self, max_listed: int = 100) -> dict[str, Any]:
        return {
            "version": self.version, "rows_read": self.rows_read, "rows_loaded": self.rows_loaded,
            "bad_rows": len(self.bad_rows), "seconds": round(self.seconds, 2),
            "rows_per_second": round(self.rows_per_second), "activated": self.activated,
            "layout": registry_store.CHUNKED,
            "bad_row_examples": [b.as_dict() for b in self.bad_rows[:max_listed]],
        }


def import_registry(
    uri: str,
    rows: Iterable[RawRow | RowError],
    *,
    batch_size: int = 5000,
    max_error_rate: float = 0.01,
    on_progress: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """``rows`` comes from ``registry_csv.iter_raw``: validated rows (duplicate NIPs already refused
    there), or errors with line numbers. Stored ``batch_size`` rows to a document (``packed_chunk``)."""
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    db = client[database_name(uri)]
    report = ImportReport(version=registry_store.new_version())
    collection = db[registry_store.collection_name(report.version)]
    started = time.perf_counter()

    def valid_rows() -> Iterator[RawRow]:
        for row in rows:
            report.rows_read += 1
            if isinstance(row, RowError):
                report.bad_rows.append(row)
                on_progress(1)
            else:
                yield row

    try:
        for number, chunk in enumerate(registry_store.chunks(valid_rows(), batch_size)):
            collection.insert_one(registry_store.packed_chunk(number, chunk))
            report.rows_loaded += len(chunk)
            on_progress(len(chunk))
        report.seconds = time.perf_counter() - started
        error_rate = len(report.bad_rows) / report.rows_read if report.rows_read else 1.0
        if report.rows_loaded and error_rate <= max_error_rate:
            _activate(db, report)
        else:
            collection.drop()
        return report
    except BaseException:
        collection.drop()
        raise
    finally:
        client.close()


def _activate(db, report: ImportReport) -> None:
    """Point ``registry_state`` at the new version (one document: atomic without transactions)."""
    summary = report.summary()
    db["registry_versions"].replace_one(
        {"_id": report.version}, {"_id": report.version, **summary, "activated_at": utcnow()}, upsert=True
    )
    db["registry_state"].replace_one(
        {"_id": registry_store.STATE_ID}, {"_id": registry_store.STATE_ID, "version": report.version}, upsert=True
    )
    registry_store.drop_old_versions(db, keep=report.version)
    report.activated = True
