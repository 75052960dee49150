"""A registry version is indexed from the store as from its file, in both stored layouts.

On the real FerretDB: the current layout (chunks of CSV lines, ``packed_chunk``) and the layout of
versions imported before it (one document per person, ``_id`` = NIP) both load through the match
service's ``build_engine`` into the index the CSV file gives.
"""
from __future__ import annotations

import csv

import pytest
from pymongo import MongoClient

from services.match import registry_store
from services.match.domain.engine import MatchEngine
from services.match.domain.generator import generate_rows
from services.match.domain.registry_csv import RawRow, iter_raw
from services.match.worker import build_engine
from shared.mongo import database_name
from shared.schemas import REGISTRY_CSV_HEADER, ContentRecord

pytestmark = pytest.mark.integration


def _one_document_per_person(row: RawRow) -> dict:
    """The layout before chunks: the CSV fields, ``_id`` = NIP, handles as sub-documents."""
    document = {name: getattr(row, name) for name in REGISTRY_CSV_HEADER if name != "handles"}
    return document | {"_id": row.nip, "handles": [{"platform": p, "handle": h} for p, h in row.handles]}


def _stored(db, rows: list[RawRow], layout: str) -> str:
    """A version written as ``layout`` and described in ``registry_versions``, never activated."""
    version = registry_store.new_version()
    collection = db[registry_store.collection_name(version)]
    if layout == registry_store.CHUNKED:
        collection.insert_many([registry_store.packed_chunk(number, rows[start:start + 40])
                                for number, start in enumerate(range(0, len(rows), 40))])
        db["registry_versions"].insert_one({"_id": version, "rows_loaded": len(rows), "layout": layout})
    else:
        collection.insert_many([_one_document_per_person(row) for row in rows])
        db["registry_versions"].insert_one({"_id": version, "rows_loaded": len(rows)})
    return version


@pytest.mark.parametrize("layout", [registry_store.CHUNKED, "one document per person"])
def test_a_stored_version_indexes_like_its_file(stack, settings, layout: str, tmp_path) -> None:
    path = tmp_path / "registry.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REGISTRY_CSV_HEADER)
        writer.writerows(generate_rows(600, seed=31))
    rows = [row for row in iter_raw(path) if isinstance(row, RawRow)]
    client: MongoClient = MongoClient(settings.mongodb_uri, serverSelectionTimeoutMS=5000)
    db = client[database_name(settings.mongodb_uri)]
    version = _stored(db, rows, layout)
    try:
        loaded = build_engine(settings.mongodb_uri, version)
        from_file = MatchEngine.from_csv(path, version)
        assert loaded.size == from_file.size == len(rows) > 500
        records = [ContentRecord(source="x", external_id=str(pid), text="coblos 02",
                                 author={"display_name": from_file.name_of(pid).split(",")[0],
                                         "bio": from_file.person(pid).unit})
                   for pid in range(0, from_file.size, 3)]
        found = [[m.model_dump() for m in loaded.match(r)] for r in records]
        assert found == [[m.model_dump() for m in from_file.match(r)] for r in records]
        assert sum(map(bool, found)) > len(records) // 2
    finally:
        db.drop_collection(registry_store.collection_name(version))
        db["registry_versions"].delete_one({"_id": version})
        client.close()
