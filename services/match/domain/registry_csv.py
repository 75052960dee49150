"""Streaming parser and validator for the registry CSV (header exactly ``REGISTRY_CSV_HEADER``).

``iter_registry(file)`` yields, per data row, either a ``shared.schemas.RegistryPerson`` or a
``RowError(line, reason, field, detail)``; ``iter_raw(file)`` yields the same checks without building
pydantic objects (``RawRow`` tuples), which is what the in-memory index uses at national scale.
Reasons: ``bad_header`` (then nothing else is read), ``wrong_field_count``, ``bad_nip`` (with the
NIP check's reason in ``detail``), ``duplicate_nip``, ``bad_birth_date`` / ``impossible_dates`` (NIP
date vs column, future dates), ``bad_gender``, ``gender_mismatch`` (sex digit vs column),
``bad_agency_code``, ``empty_name``, ``bad_region_code``, ``bad_handles``.
Line numbers are physical lines (header = 1); a quoted field spanning lines reports its last line.
Messages never contain a full NIP (privacy): ``detail`` is masked.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, NamedTuple

from shared.schemas import REGISTRY_CSV_HEADER, Handle, RegistryPerson

from .handles import format_handles_field, normalize_handle, normalize_platform, parse_handles_field
from .nip import InvalidNip, mask_nip, parse_nip

_AGENCY = re.compile(r"^[A-Z0-9][A-Z0-9\-]*$")
_PROVINCE = re.compile(r"^\d{2}$")
_REGENCY = re.compile(r"^(\d{2})\.\d{2}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str
    field: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "reason": self.reason, "field": self.field, "detail": self.detail}


class RawRow(NamedTuple):
    """A validated row: strings as in the file, handles parsed to (platform, handle) pairs."""

    line: int
    nip: str
    name: str
    birth_date: str
    gender: str
    agency_code: str
    agency_name: str
    unit: str
    position: str
    province_code: str
    regency_code: str
    handles: tuple[tuple[str, str], ...]

    def csv_fields(self) -> list[str]:
        """The row's CSV fields in file order (handles as written in the file)."""
        return [*self[1:11], format_handles_field(self.handles)]

    def to_person(self) -> RegistryPerson:
        return RegistryPerson(
            nip=self.nip, name=self.name, birth_date=date.fromisoformat(self.birth_date), gender=self.gender,
            agency_code=self.agency_code, agency_name=self.agency_name, unit=self.unit, position=self.position,
            province_code=self.province_code, regency_code=self.regency_code,
            handles=[Handle(platform=p, handle=h) for p, h in self.handles],
        )


class RegistryFormatError(ValueError):
    """The file cannot be read as a registry at all (bad header)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(f"line {error.line}: {error.reason} {error.detail}".strip())
        self.error = error


def check_row(fields: list[str], line: int, today: date) -> RawRow | RowError:
    """All per-row checks except duplicates (which need the whole file)."""
    if len(fields) != len(REGISTRY_CSV_HEADER):
        return RowError(line, "wrong_field_count", None, f"{len(fields)} fields, expected {len(REGISTRY_CSV_HEADER)}")
    nip, name, birth, gender, agency, agency_name, unit, position, province, regency, handles = (f.strip() for f in fields)
    try:
        info = parse_nip(nip, today)
    except InvalidNip as error:
        return RowError(line, "bad_nip", "nip", f"{error.reason} ({mask_nip(nip)})")
    if info.nip != nip:
        return RowError(line, "bad_nip", "nip", f"not 18 plain digits ({mask_nip(nip)})")
    if not name:
        return RowError(line, "empty_name", "name")
    if not _ISO.match(birth):
        return RowError(line, "bad_birth_date", "birth_date", "expected YYYY-MM-DD")
    try:
        born = date.fromisoformat(birth)
    except ValueError:
        return RowError(line, "impossible_dates", "birth_date", "not a real date")
    if born > today:
        return RowError(line, "impossible_dates", "birth_date", "birth date in the future")
    if born != info.birth_date:
        return RowError(line, "impossible_dates", "birth_date", "birth_date differs from the NIP's birth date")
    if gender not in ("M", "F"):
        return RowError(line, "bad_gender", "gender", "expected M or F")
    if gender != info.sex:
        return RowError(line, "gender_mismatch", "gender", "gender differs from the NIP's sex digit")
    if not _AGENCY.match(agency):
        return RowError(line, "bad_agency_code", "agency_code", "uppercase ASCII letters, digits and '-'")
    if province and not _PROVINCE.match(province):
        return RowError(line, "bad_region_code", "province_code", "expected 2 digits")
    if regency:
        m = _REGENCY.match(regency)
        if not m or (province and m.group(1) != province):
            return RowError(line, "bad_region_code", "regency_code", "expected PP.RR inside province_code")
    try:
        pairs = parse_handles_field(handles)
    except ValueError as error:
        return RowError(line, "bad_handles", "handles", str(error))
    clean: list[tuple[str, str]] = []
    for platform, handle in pairs:
        plat = normalize_platform(platform)
        if plat is None or normalize_handle(plat, handle) is None:
            return RowError(line, "bad_handles", "handles", f"unusable handle for platform {platform!r}")
        clean.append((plat, handle))
    return RawRow(line, nip, name, birth, gender, agency, agency_name, unit, position, province, regency, tuple(clean))


def _open(source: str | Path | IO[str]) -> tuple[IO[str], bool]:
    if isinstance(source, (str, Path)):
        return open(source, newline="", encoding="utf-8-sig"), True
    return source, False


def iter_raw(source: str | Path | IO[str] | Iterable[str], today: date | None = None,
             check_duplicates: bool = True) -> Iterator[RawRow | RowError]:
    """Validated rows or errors, streaming. Raises ``RegistryFormatError`` on a bad header."""
    today = today or date.today()
    if isinstance(source, (str, Path)) or hasattr(source, "read"):
        handle, close = _open(source)  # type: ignore[arg-type]
    else:
        handle, close = io.StringIO("".join(source)), False  # type: ignore[arg-type]
    try:
        reader = csv.reader(handle)
        _check_header(reader)
        yield from _checked_rows(reader, today, set() if check_duplicates else None)
    finally:
        if close:
            handle.close()


def _check_header(reader) -> None:
    try:
        header = next(reader)
    except StopIteration:
        raise RegistryFormatError(RowError(1, "bad_header", None, "empty file")) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    if header != REGISTRY_CSV_HEADER:
        raise RegistryFormatError(RowError(1, "bad_header", None, "expected: " + ",".join(REGISTRY_CSV_HEADER)))


def _checked_rows(reader, today: date, seen: set[int] | None, first_line: int = 1) -> Iterator[RawRow | RowError]:
    """``seen``: NIPs of earlier lines (``None``: no duplicate check); ``first_line``: the physical
    line the reader starts at."""
    offset = first_line - 1
    for fields in reader:
        line = reader.line_num + offset
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        result = check_row(fields, line, today)
        if seen is not None and isinstance(result, RawRow):
            key = int(result.nip)
            if key in seen:
                result = RowError(line, "duplicate_nip", "nip", f"NIP {mask_nip(result.nip)} already on an earlier line")
            else:
                seen.add(key)
        yield result


# --- byte ranges, for indexing one file in several processes -----------------------------------
@dataclass(frozen=True, slots=True)
class FileRange:
    """Bytes ``start:end`` of a CSV file, cut between records; ``first_line`` is its first physical line."""

    start: int
    end: int
    first_line: int


def split_ranges(path: str | Path, parts: int, block: int = 1 << 24) -> list[FileRange]:
    """Up to ``parts`` ranges of about equal size, each cut after a newline outside any quoted field
    (an even number of ``"`` before it: CSV doubles quotes inside fields). A file with a lone CR (a
    line break ``csv`` honours but a byte split would not) is one range."""
    size = Path(path).stat().st_size
    targets = [size * k // parts for k in range(1, parts)]
    cuts: list[tuple[int, int]] = []  # (byte offset, lines before it)
    quotes = lines = returns = crlf = position = 0
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(block):
            returns += chunk.count(b"\r")
            crlf += (tail + chunk).count(b"\r\n") - tail.count(b"\r\n")
            while targets and targets[0] < position + len(chunk):
                start = max(0, targets[0] - position)
                cut = _cut_in(chunk, start, quotes + chunk.count(b'"', 0, start))
                if cut is None:
                    break  # this block holds no safe cut after the target: look in the next one
                cuts.append((position + cut, lines + chunk.count(b"\n", 0, cut)))
                targets.pop(0)
                while targets and targets[0] < position + cut:
                    targets.pop(0)
            if targets and targets[0] < position + len(chunk):
                targets[0] = position + len(chunk)  # carry the search into the next block
            quotes += chunk.count(b'"')
            lines += chunk.count(b"\n")
            tail = chunk[-1:]
            position += len(chunk)
    if returns != crlf:
        cuts = []
    bounds = [(0, 0), *[c for c in cuts if 0 < c[0] < size], (size, lines)]
    return [FileRange(a, b, la + 1) for (a, la), (b, _) in zip(bounds, bounds[1:]) if b > a]


def _cut_in(chunk: bytes, start: int, quotes_before: int) -> int | None:
    """Offset just after the first newline at or after ``start`` with an even quote count before it."""
    while True:
        newline = chunk.find(b"\n", start)
        if newline < 0:
            return None
        quotes_before += chunk.count(b'"', start, newline)
        if quotes_before % 2 == 0:
            return newline + 1
        start = newline + 1


def _range_lines(path: str | Path, part: FileRange) -> Iterator[str]:
    with open(path, "rb") as handle:
        handle.seek(part.start)
        remaining = part.end - part.start
        first = part.start == 0
        for raw in handle:
            if remaining <= 0:
                return
            remaining -= len(raw)
            yield raw.decode("utf-8-sig" if first else "utf-8")
            first = False


def iter_raw_range(path: str | Path, part: FileRange, today: date, seen: set[int] | None = None
                   ) -> Iterator[RawRow | RowError]:
    """As ``iter_raw`` over one range (the header is checked in the range starting at byte 0);
    duplicates are checked within the range and against ``seen``."""
    reader = csv.reader(_range_lines(path, part))
    if part.start == 0:
        _check_header(reader)
    yield from _checked_rows(reader, today, set() if seen is None else seen, part.first_line)


def plain_range(path: str | Path, part: FileRange) -> Iterator[list[str]]:
    """Unvalidated CSV rows of one range (header skipped)."""
    reader = csv.reader(_range_lines(path, part))
    if part.start == 0:
        next(reader, None)
    yield from reader


def iter_registry(source: str | Path | IO[str] | Iterable[str], today: date | None = None) -> Iterator[RegistryPerson | RowError]:
    """``RegistryPerson`` per valid row, ``RowError`` per bad row (streaming)."""
    for item in iter_raw(source, today):
        yield item if isinstance(item, RowError) else item.to_person()


def person_to_row(person: RegistryPerson) -> list[str]:
    """The CSV fields of a person (the inverse of parsing)."""
    return [person.nip, person.name, person.birth_date.isoformat(), person.gender, person.agency_code,
            person.agency_name, person.unit, person.position, person.province_code, person.regency_code,
            format_handles_field((h.platform, h.handle) for h in person.handles)]
