"""NIP (PNS) and NI PPPK numbers: parsing, validation, extraction from free text.

PNS NIP, 18 digits (Perka BKN 22/2007): birth date YYYYMMDD + CPNS appointment YYYYMM + sex digit
(1 male, 2 female) + 3-digit sequence (001 unless the first 15 digits collide).
NI PPPK, 18 digits: birth date YYYYMMDD + appointment year YYYY + 2-digit contract/batch code + sex
digit + 3-digit sequence (domain.md 3.2). In a PNS NIP digits 13-14 are a month 01-12, so a value
above 12 there can only be PPPK; when both layouts parse, PNS wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

MIN_BIRTH_YEAR = 1920
MIN_AGE_AT_APPOINTMENT = 18
PPPK_FIRST_YEAR = 2019  # PP 49/2018: first PPPK appointments


class InvalidNip(ValueError):
    """``reason`` is a short machine-readable code; the message never contains the full NIP."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class NipInfo:
    nip: str
    kind: Literal["pns", "pppk"]
    birth_date: date
    appointment_year: int
    appointment_month: int | None  # PNS only
    sex: Literal["M", "F"]
    sequence: int
    pppk_code: str | None = None

    @property
    def formatted(self) -> str:
        return format_nip(self.nip)


def mask_nip(nip: str) -> str:
    """For logs: ``1985**********2004``. Never log a full NIP."""
    digits = re.sub(r"\D", "", nip or "")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def format_nip(nip: str) -> str:
    """The way it is printed on documents: ``19790521 200501 2 003``."""
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def _birth(nip: str) -> date:
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise InvalidNip("bad_birth_date", "digits 1-8 are not a real date") from None
    if born.year < MIN_BIRTH_YEAR:
        raise InvalidNip("bad_birth_date", "birth year too early")
    return born


def _sex(digit: str) -> Literal["M", "F"]:
    if digit == "1":
        return "M"
    if digit == "2":
        return "F"
    raise InvalidNip("bad_sex_digit", "digit 15 must be 1 or 2")


def _check_pns(nip: str, today: date) -> NipInfo:
    born = _birth(nip)
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        raise InvalidNip("bad_appointment_month", "digits 13-14 are not a month")
    if (year, month) > (today.year, today.month):
        raise InvalidNip("appointment_in_future", "appointment after today")
    if (year, month) < (born.year + MIN_AGE_AT_APPOINTMENT, born.month):
        raise InvalidNip("appointment_too_young", "appointed before age 18")
    if born > today:
        raise InvalidNip("bad_birth_date", "birth date in the future")
    sex = _sex(nip[14])
    seq = int(nip[15:18])
    if seq == 0:
        raise InvalidNip("bad_sequence", "sequence 000")
    return NipInfo(nip, "pns", born, year, month, sex, seq)


def _check_pppk(nip: str, today: date) -> NipInfo:
    born = _birth(nip)
    year = int(nip[8:12])
    if year < PPPK_FIRST_YEAR or year > today.year:
        raise InvalidNip("bad_appointment_year", "PPPK appointment year out of range")
    if year < born.year + MIN_AGE_AT_APPOINTMENT:
        raise InvalidNip("appointment_too_young", "appointed before age 18")
    sex = _sex(nip[14])
    seq = int(nip[15:18])
    if seq == 0:
        raise InvalidNip("bad_sequence", "sequence 000")
    return NipInfo(nip, "pppk", born, year, None, sex, seq, pppk_code=nip[12:14])


def parse_nip(value: str, today: date | None = None) -> NipInfo:
    """Parse an 18-digit number (separators allowed) as PNS NIP, else as NI PPPK."""
    nip = re.sub(r"[\s.\-_/]", "", value or "")
    if len(nip) != 18 or not nip.isdigit():
        raise InvalidNip("bad_length", "NIP must have 18 digits")
    today = today or date.today()
    try:
        return _check_pns(nip, today)
    except InvalidNip as pns_error:
        # A PPPK number can only be meant when the PNS reading fails on the appointment part.
        if pns_error.reason in ("bad_birth_date", "bad_sex_digit"):
            raise
        try:
            return _check_pppk(nip, today)
        except InvalidNip:
            raise pns_error from None


def validate_nip(value: str, today: date | None = None) -> str | None:
    """``None`` when valid, else the reason code."""
    try:
        parse_nip(value, today)
    except InvalidNip as error:
        return error.reason
    return None


def is_valid_nip(value: str, today: date | None = None) -> bool:
    return validate_nip(value, today) is None


def make_nip(born: date, appointment_year: int, appointment_month: int, sex: str, sequence: int) -> str:
    return (f"{born.year:04d}{born.month:02d}{born.day:02d}{appointment_year:04d}{appointment_month:02d}"
            f"{1 if sex == 'M' else 2}{sequence:03d}")


def make_pppk(born: date, appointment_year: int, code: int, sex: str, sequence: int) -> str:
    return (f"{born.year:04d}{born.month:02d}{born.day:02d}{appointment_year:04d}{code:02d}"
            f"{1 if sex == 'M' else 2}{sequence:03d}")


# 18 digits, optionally separated by single spaces, dots, dashes or slashes (``19790521 200501 2 003``,
# ``19790521.200501.2.003``), never glued to further digits.
_CANDIDATE = re.compile(r"(?<![\d])(\d(?:[ \t.\-/]{0,2}\d){17})(?![\d])")
_SEPARATORS = re.compile(r"[ \t.\-/]")
# The same digit run without the look-behind, which keeps ``re`` from skipping to the next digit:
# a quick test that most texts fail.
_DIGIT_RUN = re.compile(r"\d(?:[ \t.\-/]{0,2}\d){17}")


def extract_nips(text: str | None, today: date | None = None) -> list[NipInfo]:
    """Valid NIPs / NI PPPK numbers written in ``text``, in order of appearance, de-duplicated."""
    if not text or not _DIGIT_RUN.search(text):
        return []
    found: list[NipInfo] = []
    seen: set[str] = set()
    for match in _CANDIDATE.finditer(text):
        digits = _SEPARATORS.sub("", match.group(1))
        if digits in seen:
            continue
        try:
            info = parse_nip(digits, today)
        except InvalidNip:
            continue
        seen.add(digits)
        found.append(info)
    return found
