from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.match.domain.nip import (
    extract_nips, format_nip, is_valid_nip, make_nip, make_pppk, mask_nip, parse_nip, validate_nip,
)

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize("text", [
    "NIP. 19790521 200501 2 003",
    "NIP: 197905212005012003",
    "nip 19790521.200501.2.003",
    "NIP 19790521-200501-2-003",
    "(NIP. 19790521 200501 2 003) Guru",
])
def test_extract_written_forms(text: str) -> None:
    found = extract_nips(text, TODAY)
    assert [f.nip for f in found] == ["197905212005012003"]
    info = found[0]
    assert info.kind == "pns" and info.birth_date == date(1979, 5, 21) and info.sex == "F"
    assert (info.appointment_year, info.appointment_month, info.sequence) == (2005, 1, 3)


@pytest.mark.parametrize("nip,reason", [
    ("197905212005132003", "bad_appointment_month"),  # month 13, and not a PPPK year either
    ("197902302005012003", "bad_birth_date"),  # 30 February
    ("197905212005013003", "bad_sex_digit"),
    ("197905211990012003", "appointment_too_young"),  # appointed at 10
    ("199001012030011001", "appointment_in_future"),
    ("197905212005012000", "bad_sequence"),
    ("19790521200501200", "bad_length"),
])
def test_invalid(nip: str, reason: str) -> None:
    assert validate_nip(nip, TODAY) == reason


def test_pppk_layout() -> None:
    info = parse_nip("19900913 2025 24 2 014", date(2025, 12, 1))
    assert info.kind == "pppk" and info.pppk_code == "24" and info.appointment_year == 2025 and info.sex == "F"
    assert extract_nips("NI PPPK 199009132025242014", date(2025, 12, 1))[0].kind == "pppk"
    assert not is_valid_nip("199009132015242014", TODAY)  # PPPK before 2019 does not exist


def test_no_false_extraction() -> None:
    assert extract_nips("telp 081234567890 rek 1234567890123456789012", TODAY) == []
    assert extract_nips("", TODAY) == [] and extract_nips(None, TODAY) == []


def test_mask() -> None:
    assert mask_nip("198503122010012004") == "1985**********2004"
    assert "2010" not in mask_nip("198503122010012004")


births = st.dates(min_value=date(1950, 1, 1), max_value=date(2004, 12, 31))


@settings(max_examples=200, deadline=None)
@given(born=births, years=st.integers(18, 45), month=st.integers(1, 12), sex=st.sampled_from("MF"),
       seq=st.integers(1, 999), sep=st.sampled_from([" ", ".", "-", ""]))
def test_pns_round_trip(born: date, years: int, month: int, sex: str, seq: int, sep: str) -> None:
    year = born.year + years + (1 if month < born.month else 0)
    if (year, month) > (TODAY.year, TODAY.month):
        return
    nip = make_nip(born, year, month, sex, seq)
    info = parse_nip(nip, TODAY)
    assert (info.birth_date, info.appointment_year, info.appointment_month, info.sex, info.sequence) == (
        born, year, month, sex, seq)
    written = f"Saya ASN, NIP. {nip[:8]}{sep}{nip[8:14]}{sep}{nip[14]}{sep}{nip[15:]} salam"
    assert [f.nip for f in extract_nips(written, TODAY)] == [nip]
    assert extract_nips(format_nip(nip), TODAY)[0].nip == nip


@settings(max_examples=100, deadline=None)
@given(born=st.dates(min_value=date(1966, 1, 1), max_value=date(2001, 1, 1)), year=st.integers(2019, 2025),
       code=st.integers(13, 99), sex=st.sampled_from("MF"), seq=st.integers(1, 999))
def test_pppk_round_trip(born: date, year: int, code: int, sex: str, seq: int) -> None:
    nip = make_pppk(born, year, code, sex, seq)
    info = parse_nip(nip, TODAY)
    assert info.kind == "pppk" and info.pppk_code == f"{code:02d}" and info.birth_date == born and info.sex == sex


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 .-", min_size=0, max_size=40))
def test_extraction_returns_only_valid(text: str) -> None:
    for info in extract_nips(text, TODAY):
        assert is_valid_nip(info.nip, TODAY)
