from __future__ import annotations

import collections
import csv

from services.match.domain.generator import generate_rows, write_registry
from services.match.domain.names import parse_name
from services.match.domain.registry_csv import RowError, iter_raw
from shared.schemas import REGISTRY_CSV_HEADER

N = 20_000


def test_deterministic_and_valid(tmp_path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_registry(a, 3000, seed=42)
    write_registry(b, 3000, seed=42)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text().splitlines()[0] == ",".join(REGISTRY_CSV_HEADER)
    results = list(iter_raw(a))
    assert len(results) == 3000 and not [r for r in results if isinstance(r, RowError)]
    write_registry(b, 3000, seed=43)
    assert a.read_bytes() != b.read_bytes()


def test_realistic_shares() -> None:
    rows = list(generate_rows(N, seed=1))
    assert len({r[0] for r in rows}) == N  # unique NIPs
    regional = sum(r[4].startswith(("PEMKAB-", "PEMKOT-", "PEMPROV-")) for r in rows) / N
    assert 0.74 < regional < 0.82
    titled = sum("," in r[1] or r[1].split()[0].endswith(".") for r in rows) / N
    assert 0.45 < titled < 0.95  # teachers, nurses, midwives and most officers carry a degree
    hajj = sum(" H." in " " + r[1] or "Hj." in r[1] for r in rows) / N
    assert 0.02 < hajj < 0.15
    with_handles = sum(bool(r[10]) for r in rows) / N
    assert 0.2 < with_handles < 0.5
    pppk = sum(int(r[0][12:14]) > 12 for r in rows) / N
    assert 0.1 < pppk < 0.3
    provinces = collections.Counter(r[8] for r in rows)
    assert len(provinces) == 38 and provinces["35"] > provinces["34"] * 3  # Jatim much larger than DIY
    bali = [r for r in rows if r[8] == "51"]
    assert sum(parse_name(r[1]).tokens[0] in ("i", "ni") for r in bali) / len(bali) > 0.4
    # Common names collide, as in a real registry.
    names = collections.Counter(parse_name(r[1]).normalized for r in rows)
    assert names.most_common(1)[0][1] >= 5
    agencies = {r[4] for r in rows}
    assert {"KEMENAG", "KEMENKEU", "BPS"} <= agencies and any(a.startswith("PEMPROV-") for a in agencies)


def test_csv_quoting_round_trip(tmp_path) -> None:
    path = tmp_path / "r.csv"
    write_registry(path, 500, seed=3)
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert all(len(r) == 11 for r in rows)
