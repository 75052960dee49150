"""Indexing one registry file in several processes gives the index a single pass gives, bit for bit:
rows, interned values, generic units, bad rows and duplicate NIPs across the cut included."""
from __future__ import annotations

import csv
import hashlib
import random
from datetime import date
from pathlib import Path

import pytest

from services.match.domain.engine import MatchConfig, MatchEngine
from services.match.domain.generator import generate_rows
from services.match.domain.registry_csv import RawRow, RowError, iter_raw, iter_raw_range, split_ranges
from services.match.registry_store import chunk_rows, chunks, packed_chunk
from shared.schemas import REGISTRY_CSV_HEADER, ContentRecord

COLUMNS = ("_nips", "_births", "_sex", "_agency", "_unit", "_position", "_place", "_names", "_name_off", "_norm",
           "_norm_off", "_handles", "_handle_off", "_offsets", "_postings", "_tags", "_unit_place", "_name_holders")


def fingerprint(engine: MatchEngine) -> str:
    digest = hashlib.sha256()
    for name in COLUMNS:
        value = getattr(engine, name)
        digest.update(value if isinstance(value, bytes) else value.tobytes())
    digest.update(repr((engine._agencies, engine._units, engine._positions, engine._places, engine._place_ids,
                        engine._agency_ids, sorted(engine._token_ids.items()), sorted(engine._token_counts.items()),
                        engine.skipped, engine.size)).encode())
    return digest.hexdigest()


def write_registry(path: Path, rows: list[list[str]], newline: str = "\n") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(REGISTRY_CSV_HEADER)
        writer.writerows(rows)
    return path


def awkward_rows(count: int = 3_000) -> list[list[str]]:
    """Generated rows plus what a byte split could get wrong: a quoted name spanning lines and
    quotes in the middle of the file, a bad row, and a NIP repeated far from its first line."""
    rows = [list(row) for row in generate_rows(count, seed=21)]
    middle = count // 2
    for i in range(middle - 40, middle + 40, 3):
        rows[i][1] = rows[i][1] + '\n"Gelar"'  # embedded newline and doubled quotes
    # A field that spans the file's middle (where a cut in two is sought): lines inside quotes.
    rows[middle][1] = "Budi" + '\n"x"' * (count * 8)  # under csv's field limit (131,072)
    rows[middle + 5][0] = "123"  # bad NIP
    rows[-3] = list(rows[7])  # duplicate of an early NIP, on the other side of any cut
    return rows


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("validate", [True, False])
def test_parallel_index_is_the_sequential_index(tmp_path: Path, newline: str, validate: bool) -> None:
    path = write_registry(tmp_path / "reg.csv", awkward_rows(), newline)
    single = MatchEngine.from_csv(path, "v", MatchConfig(), validate=validate, workers=1)
    for workers in (2, 3):
        assert fingerprint(MatchEngine.from_csv(path, "v", MatchConfig(), validate=validate, workers=workers)) \
            == fingerprint(single)
    if validate:
        assert single.skipped == 2  # the bad NIP and the late duplicate


def test_ranges_cut_between_records_and_keep_line_numbers(tmp_path: Path) -> None:
    path = write_registry(tmp_path / "reg.csv", awkward_rows())
    data = path.read_bytes()
    ranges = split_ranges(path, 4)
    assert len(ranges) == 4 and ranges[0].start == 0 and ranges[-1].end == len(data)
    assert data.find(b'""x""') < len(data) // 2 < data.rfind(b'""x""')  # the middle is inside a quoted field
    for before, after in zip(ranges, ranges[1:]):
        assert before.end == after.start
        assert data[after.start - 1:after.start] == b"\n" and data[:after.start].count(b'"') % 2 == 0
        assert after.first_line == data[:after.start].count(b"\n") + 1
    today = date.today()
    expected = [(r.line, r.reason) for r in iter_raw(path, today) if not hasattr(r, "nip")]
    found = []
    seen: set[int] = set()
    for part in ranges:
        found += [(r.line, r.reason) for r in iter_raw_range(path, part, today, seen) if not hasattr(r, "nip")]
    assert found == expected and [reason for _, reason in found] == ["bad_nip", "duplicate_nip"]


def test_a_lone_carriage_return_keeps_the_file_whole(tmp_path: Path) -> None:
    rows = awkward_rows(400)
    path = write_registry(tmp_path / "reg.csv", rows)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r", 1))
    assert len(split_ranges(path, 3)) == 1


def test_the_stored_registry_indexes_like_its_file(tmp_path: Path) -> None:
    """`pantau registry import` stores validated rows in chunks of CSV lines (``packed_chunk``); the
    match service's index of them is the file's, bit for bit, and in any chunk order finds the same."""
    path = write_registry(tmp_path / "reg.csv", awkward_rows())
    valid = [row for row in iter_raw(path) if not isinstance(row, RowError)]
    chunks = [packed_chunk(number, valid[start:start + 700])
              for number, start in enumerate(range(0, len(valid), 700))]
    from_file = MatchEngine.from_csv(path, "v", MatchConfig(), workers=1)
    from_store = MatchEngine.from_rows(chunk_rows(chunks), "v", MatchConfig())
    assert from_file.skipped == 2 and from_store.skipped == 0  # bad rows are reported at import, not stored
    from_store.skipped = from_file.skipped
    assert fingerprint(from_store) == fingerprint(from_file)
    shuffled = MatchEngine.from_rows(chunk_rows(random.Random(4).sample(chunks, len(chunks))), "v", MatchConfig())
    records = []
    for pid in random.Random(5).sample(range(from_file.size), 150):
        person = from_file.person(pid)
        records.append(ContentRecord(source="x", external_id=str(pid), text="coblos 02",
                                     author={"display_name": person.name.split(",")[0], "bio": person.unit}))
    assert [[m.model_dump() for m in shuffled.match(r)] for r in records] \
        == [[m.model_dump() for m in from_file.match(r)] for r in records]
    assert sum(bool(from_file.match(r)) for r in records) > 100


def _row_of(chars: int, number: int) -> RawRow:
    """A row whose fields hold exactly ``chars`` characters (the NIP's 18 included), no handles."""
    nip = f"{198001012005011000 + number}"
    return RawRow(number + 2, nip, "x" * (chars - 35), "1980-01-01", "M", "A", "B", "C", "D", "E", "F", ())  # 18 + 17 more


@pytest.mark.parametrize(("max_rows", "max_chars", "sizes", "expected"), [
    (3, 10_000, [100] * 10, [3, 3, 3, 1]),  # by rows
    (50, 2_500, [1_000] * 10, [3, 3, 3, 1]),  # by size: a chunk closes at the row that reaches it
    (50, 2_500, [100, 5_000, 100, 100], [2, 2]),  # one long row closes its chunk at once
    (50, 10_000, [100] * 4, [4]),
])
def test_stored_chunks_are_cut_by_rows_and_size(max_rows: int, max_chars: int, sizes: list[int],
                                                expected: list[int]) -> None:
    rows = [_row_of(chars, number) for number, chars in enumerate(sizes)]
    cut = list(chunks(rows, max_rows, max_chars))
    assert [len(chunk) for chunk in cut] == expected
    assert [row for chunk in cut for row in chunk] == rows
