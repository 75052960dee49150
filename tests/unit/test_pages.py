"""Pages (shared.pages): a batch's rows as one document, found again by key and time."""
from datetime import datetime, timedelta, timezone

import pytest

from shared import pages

T0 = datetime(2024, 2, 14, 10, tzinfo=timezone.utc)


def _rows(n: int, start: int = 0) -> list[dict]:
    return [{"_id": f"ct_{i:04d}", "at": (T0 + timedelta(seconds=i)).isoformat(), "v": i} for i in range(start, start + n)]


@pytest.mark.parametrize("rows, pages_expected", [
    (_rows(1), 1),
    (_rows(pages.PAGE_ROWS), 1),
    (_rows(pages.PAGE_ROWS + 1), 2),
    (_rows(3) + _rows(3), 1),  # a key twice in one batch is one row
])
def test_a_batch_becomes_pages_of_bounded_size_with_every_row_once(rows, pages_expected):
    docs = pages.page_documents(rows, "_id", "at")
    assert len(docs) == pages_expected
    stored = [row for doc in docs for row in pages.page_rows(doc)]
    assert [r["_id"] for r in stored] == sorted({r["_id"] for r in rows})
    for doc in docs:
        inside = pages.page_rows(doc)
        assert doc["ids"] == [r["_id"] for r in inside]
        assert doc["first"] == min(datetime.fromisoformat(r["at"]) for r in inside)
        assert doc["last"] == max(datetime.fromisoformat(r["at"]) for r in inside)


def test_the_same_batch_gives_the_same_page_id_and_another_batch_another():
    assert pages.page_documents(_rows(5), "_id", "at")[0]["_id"] == pages.page_documents(_rows(5), "_id", "at")[0]["_id"]
    assert pages.page_documents(_rows(5), "_id", "at")[0]["_id"] != pages.page_documents(_rows(5, 1), "_id", "at")[0]["_id"]


class _Collection:
    """What ``read_rows`` asks of a collection, answered the way the store would (pages and old single rows)."""

    def __init__(self, docs):
        self.docs, self.queries = docs, []

    def find(self, query, projection=None):
        self.queries.append(query)

        async def gen():
            for doc in self.docs:
                yield doc
        return gen()


async def test_rows_are_read_from_pages_and_from_documents_written_before_pages():
    old = {"_id": "ct_old", "at": T0 - timedelta(days=1), "v": -1}
    docs = pages.page_documents(_rows(4), "_id", "at") + pages.page_documents(_rows(2, 3), "_id", "at") + [old]
    collection = _Collection(docs)
    every = [r["_id"] async for r in pages.read_rows(collection, time_field="at")]
    assert every == ["ct_0000", "ct_0001", "ct_0002", "ct_0003", "ct_0004", "ct_old"]  # ct_0003 twice: read once
    some = [r["_id"] async for r in pages.read_rows(collection, ids=["ct_0001", "ct_old"], time_field="at")]
    assert some == ["ct_0001", "ct_old"]
    recent = [r["_id"] async for r in pages.read_rows(collection, since=T0 + timedelta(seconds=3), time_field="at")]
    assert recent == ["ct_0003", "ct_0004"]
    assert collection.queries[-1] == {"$or": [{"last": {"$gte": T0 + timedelta(seconds=3)}},
                                              {"at": {"$gte": T0 + timedelta(seconds=3)}}]}


async def test_many_ids_are_filtered_here_and_a_report_gets_every_copy():
    docs = pages.page_documents(_rows(4), "_id", "at") + pages.page_documents(_rows(2, 3), "_id", "at")
    collection = _Collection(docs)
    many = [f"ct_{i:04d}" for i in range(pages.QUERY_IDS + 1)]
    assert [r["_id"] async for r in pages.read_rows(collection, ids=many, time_field="at")] == [
        "ct_0000", "ct_0001", "ct_0002", "ct_0003", "ct_0004"]
    assert collection.queries[-1] == {}  # the ids stay here: a query must stay under the store's 16 MB
    where = {"tags": "x"}
    assert [r["_id"] async for r in pages.read_rows(collection, where=where, time_field="at")].count("ct_0003") == 2
