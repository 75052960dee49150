from __future__ import annotations

import io
from datetime import date

import pytest

from services.match.domain.registry_csv import RawRow, RegistryFormatError, RowError, iter_raw, iter_registry, person_to_row
from shared.schemas import REGISTRY_CSV_HEADER, RegistryPerson

HEADER = ",".join(REGISTRY_CSV_HEADER)
GOOD = ('198503122010012004,"Dra. Hj. Sri Wahyuningsih, M.Pd.",1985-03-12,F,PEMKOT-3374,Pemerintah Kota Semarang,'
        'Dinas Pendidikan,Guru Ahli Muda,33,33.74,instagram:bu_sriwahyu')
TODAY = date(2025, 6, 1)


def parse(text: str) -> list:
    return list(iter_registry(io.StringIO(text), TODAY))


def test_design_example_row() -> None:
    [person] = parse(HEADER + "\n" + GOOD + "\n")
    assert isinstance(person, RegistryPerson)
    assert person.name == "Dra. Hj. Sri Wahyuningsih, M.Pd." and person.handles[0].handle == "bu_sriwahyu"
    assert person_to_row(person)[0] == "198503122010012004"


@pytest.mark.parametrize("row,reason", [
    (GOOD.replace("198503122010012004", "198503122010132004"), "bad_nip"),
    (GOOD.replace("198503122010012004", "1985031220100120"), "bad_nip"),
    (GOOD.replace("1985-03-12", "1985-03-13"), "impossible_dates"),
    (GOOD.replace("198503122010012004", "198502302010012004").replace("1985-03-12", "1985-02-30"), "bad_nip"),
    (GOOD.replace(",F,", ",M,"), "gender_mismatch"),
    (GOOD.replace(",F,", ",X,"), "bad_gender"),
    (GOOD.replace("PEMKOT-3374", "pemkot 3374"), "bad_agency_code"),
    (GOOD.replace("33.74", "34.74"), "bad_region_code"),
    (GOOD.replace("instagram:bu_sriwahyu", "bu_sriwahyu"), "bad_handles"),
    (GOOD.replace("instagram:bu_sriwahyu", "instagram:bad handle!"), "bad_handles"),
    (GOOD + ",extra", "wrong_field_count"),
    (GOOD.replace('"Dra. Hj. Sri Wahyuningsih, M.Pd."', '""'), "empty_name"),
])
def test_row_errors(row: str, reason: str) -> None:
    [error] = parse(HEADER + "\n" + row + "\n")
    assert isinstance(error, RowError) and error.reason == reason and error.line == 2
    assert "198503122010012004" not in error.detail  # never the full NIP


def test_duplicates_and_line_numbers() -> None:
    other = GOOD.replace("198503122010012004", "198503122010012005")
    text = "\n".join([HEADER, GOOD, other, GOOD, "", GOOD.replace("2010012004", "2010132004")]) + "\n"
    results = parse(text)
    assert [type(r).__name__ for r in results] == ["RegistryPerson", "RegistryPerson", "RowError", "RowError"]
    assert (results[2].line, results[2].reason) == (4, "duplicate_nip")
    assert (results[3].line, results[3].reason) == (6, "bad_nip")


def test_bad_header() -> None:
    with pytest.raises(RegistryFormatError) as info:
        parse("nip,name\n" + GOOD)
    assert info.value.error.reason == "bad_header" and info.value.error.line == 1


def test_raw_rows_stream() -> None:
    rows = list(iter_raw(io.StringIO(HEADER + "\n" + GOOD + "\n"), TODAY))
    assert isinstance(rows[0], RawRow) and rows[0].handles == (("instagram", "bu_sriwahyu"),)
