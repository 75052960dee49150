"""Building the registry index: rows in, compact columns and hashed blocking keys out.

One row per person in ``array`` columns (NIP as int64, birth date as int, sex byte, interned agency,
unit, position and region indexes, names and handles as UTF-8 blobs with offsets), so no per-person
Python object survives the build. Blocking keys (full name, name-part pairs, name part + region, name
part + non-regional agency, NIP, ``platform:handle``) are built from ints only (key kind,
content-derived ids of name parts, codes and handles, NIPs), so the table, and every result, is the
same in every process and for any row order: ``hash()`` of a str changes with ``PYTHONHASHSEED``.
A large CSV is built in byte ranges in several processes and the parts joined (``_Builder.extend``).
"""
from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .handles import handle_key
from .names import tokens_for_index
from .registry_csv import FileRange, RawRow, RowError, iter_raw_range, plain_range

MAX_NAME_TOKENS = 6
PARALLEL_MIN_BYTES = 32 << 20  # below this, starting a process costs more than it saves
_REGIONAL_PREFIXES = ("PEMKAB-", "PEMKOT-")
# Blocking key kinds: full name, name part, two name parts, part + region, part + agency, NIP, handle.
_FULL, _PART, _PAIR, _REGION, _AGENCY, _NIP, _HANDLE = range(7)


def _stable_id(text: str) -> int:
    """A 64-bit id of ``text`` that, unlike ``hash(text)``, is the same in every process."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


class _StableIds(dict):
    """Name-part key -> ``_stable_id``, computed on the first miss; hits stay in C for the build loop."""

    def __missing__(self, key: str) -> int:
        value = self[key] = _stable_id(key)
        return value


class _Interner:
    __slots__ = ("index", "values")

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []

    def __call__(self, value: Any) -> int:
        found = self.index.get(value)
        if found is None:
            found = len(self.values)
            self.index[value] = found
            self.values.append(value)
        return found


class _Builder:
    def __init__(self) -> None:
        self.nips = array("q")
        self.births = array("I")
        self.sex = bytearray()
        self.agency = array("I")
        self.unit = array("I")
        self.position = array("I")
        self.place = array("I")
        self.names = bytearray()
        self.name_off = array("I", [0])
        self.norm = bytearray()
        self.norm_off = array("I", [0])
        self.handles = bytearray()
        self.handle_off = array("I", [0])
        self.agencies = _Interner()
        self.units = _Interner()
        self.positions = _Interner()
        self.places = _Interner()
        self.hashes = array("q")
        self.pids = array("I")
        self.full_keys = array("q")  # per person: the hash of its full-name key (0 without a name)
        self.skipped = 0
        self.agency_names: list[str] = []
        self.regional_agency: list[bool] = []
        self.place_pairs: list[tuple[str, str]] = [("", "")]
        self.place_ids = [_stable_id("")]  # per place / agency index
        self.agency_ids: list[int] = []
        self.token_ids = _StableIds()
        self.unit_place = array("I")  # the one place a unit name occurs in, 0 when several (generic)
        self.places("")

    def extend(self, other: _Builder) -> None:
        """Append the rows of ``other`` (built from the next range of the same file) exactly as if
        ``add_many`` had added them here: interned values keep their first-seen order."""
        base = len(self.nips)
        self.skipped += other.skipped
        self.nips.extend(other.nips)
        self.births.extend(other.births)
        self.sex += other.sex
        agencies = []
        for code, name, regional, stable in zip(other.agencies.values, other.agency_names, other.regional_agency,
                                                other.agency_ids):
            index = self.agencies.index.get(code)
            if index is None:
                index = self.agencies(code)
                self.agency_names.append(name)
                self.regional_agency.append(regional)
                self.agency_ids.append(stable)
            agencies.append(index)
        places = []
        for key, pair, stable in zip(other.places.values, other.place_pairs, other.place_ids):
            index = self.places.index.get(key)
            if index is None:
                index = self.places(key)
                self.place_pairs.append(pair)
                self.place_ids.append(stable)
            places.append(index)
        units = []
        for unit, place in zip(other.units.values, other.unit_place):
            index = self.units.index.get(unit)
            if index is None:
                index = self.units(unit)
                self.unit_place.append(places[place] if place else 0)
            elif self.unit_place[index] != (places[place] if place else 0):
                self.unit_place[index] = 0  # in several places: a generic unit name
            units.append(index)
        positions = [self.positions(value) for value in other.positions.values]
        for column, mapping, values in ((self.agency, agencies, other.agency), (self.place, places, other.place),
                                        (self.unit, units, other.unit), (self.position, positions, other.position)):
            column.extend(map(mapping.__getitem__, values))
        for blob, offsets, other_blob, other_offsets in (
                (self.names, self.name_off, other.names, other.name_off),
                (self.norm, self.norm_off, other.norm, other.norm_off),
                (self.handles, self.handle_off, other.handles, other.handle_off)):
            shifted = np.frombuffer(other_offsets, np.uint32)[1:] + np.uint32(len(blob))
            offsets.frombytes(shifted.tobytes())
            blob += other_blob
        self.token_ids.update(other.token_ids)
        self.hashes.extend(other.hashes)
        self.full_keys.extend(other.full_keys)
        self.pids.frombytes((np.frombuffer(other.pids, np.uint32) + np.uint32(base)).tobytes())

    def add(self, nip: str, name: str, birth: str, gender: str, agency_code: str, agency_name: str, unit: str,
            position: str, province: str, regency: str, handles: Iterable[tuple[str, str]]) -> None:
        self.add_many([(nip, name, birth, gender, agency_code, agency_name, unit, position, province, regency,
                        handles)])

    def _new_agency(self, code: str, name: str) -> int:
        """Intern an agency first seen in this row (rare: kept out of ``add_many``'s loop)."""
        self.agency_names.append(name)
        self.regional_agency.append(code.startswith(_REGIONAL_PREFIXES))
        self.agency_ids.append(_stable_id(code))
        return self.agencies(code)

    def _new_place(self, key: str, province: str, regency: str) -> int:
        """Intern a region first seen in this row."""
        self.place_pairs.append((province, regency))
        self.place_ids.append(_stable_id(key))
        return self.places(key)

    def add_many(self, rows: Iterable[tuple]) -> None:
        """Rows in CSV order; field 10 is an iterable of (platform, handle) pairs. Tight loop, locals only."""
        nips_append, births_append, sex_append = self.nips.append, self.births.append, self.sex.append
        agency_append, unit_append = self.agency.append, self.unit.append
        position_append, place_append = self.position.append, self.place.append
        names, name_off_append = self.names, self.name_off.append
        norm, norm_off_append = self.norm, self.norm_off.append
        handles_blob, handle_off_append = self.handles, self.handle_off.append
        hashes_extend, pids_extend, full_keys_append = self.hashes.extend, self.pids.extend, self.full_keys.append
        units, positions = self.units, self.positions
        a_get, u_get, p_get, l_get = self.agencies.index.get, units.index.get, positions.index.get, self.places.index.get
        pid = len(self.nips)
        regional = self.regional_agency
        unit_place = self.unit_place
        unit_place_append = unit_place.append
        place_ids, agency_ids = self.place_ids, self.agency_ids
        id_of = self.token_ids.__getitem__
        full, part, pair, region, agency = _FULL, _PART, _PAIR, _REGION, _AGENCY
        for nip, name, birth, gender, agency_code, agency_name, unit, position, province, regency, handles in rows:
            tokens, keys = tokens_for_index(name)
            nip_int = int(nip)
            nips_append(nip_int)
            births_append(int(birth[:10].replace("-", "")))
            sex_append(2 if gender == "F" else 1)
            agency_index = a_get(agency_code)
            if agency_index is None:
                agency_index = self._new_agency(agency_code, agency_name)
            agency_append(agency_index)
            place_key = regency or province
            place_index = l_get(place_key)
            if place_index is None:
                place_index = self._new_place(place_key, province, regency)
            place_append(place_index)
            index = u_get(unit)
            if index is None:
                index = units(unit)
                unit_place_append(place_index)
            elif unit_place[index] != place_index:
                unit_place[index] = 0  # found in several places: a generic unit name
            unit_append(index)
            index = p_get(position)
            position_append(positions(position) if index is None else index)
            names += name.encode()
            name_off_append(len(names))
            norm += " ".join(tokens).encode()
            norm_off_append(len(norm))
            out = [hash((_NIP, nip_int))]
            if keys:
                ids = [*map(id_of, keys)]
                place_id, agency_id = place_ids[place_index], agency_ids[agency_index]
                if len(ids) == 1:
                    a = ids[0]
                    out.append(hash((full, a)))
                    out.append(hash((part, a)))
                    if place_index:
                        out.append(hash((region, a, place_id)))
                    if not regional[agency_index]:
                        out.append(hash((agency, a, agency_id)))
                else:
                    unique = sorted(set(ids[:MAX_NAME_TOKENS]))
                    out.append(hash((full, *sorted(ids))))
                    check_agency = not regional[agency_index]
                    for i, a in enumerate(unique):
                        out.append(hash((part, a)))
                        for b in unique[i + 1:]:
                            out.append(hash((pair, a, b)))
                        if place_index:
                            out.append(hash((region, a, place_id)))
                        if check_agency:
                            out.append(hash((agency, a, agency_id)))
                full_keys_append(out[1])
            else:
                full_keys_append(0)
            if handles:
                handles_blob += _handle_keys(handles, out)
            handle_off_append(len(handles_blob))
            hashes_extend(out)
            pids_extend((pid,) * len(out))
            pid += 1


def _handle_keys(handles: Iterable[tuple[str, str]], out: list[int]) -> bytes:
    """Append the blocking keys of a person's valid handles to ``out``; the handles as stored."""
    stored = []
    for platform, handle in handles:
        hk = handle_key(platform, handle)
        if hk:
            out.append(hash((_HANDLE, _stable_id(hk))))
            stored.append(f"{platform}:{handle}")
    return ";".join(stored).encode()


def _index_rows(rows: Iterable[RawRow | RowError | tuple | list], builder: _Builder) -> Iterator[tuple]:
    """Rows for ``_Builder.add_many``: ``RowError``s (and rows of the wrong width) counted as skipped."""
    for row in rows:
        if isinstance(row, RowError):
            builder.skipped += 1
        elif isinstance(row, RawRow):
            yield row[1:]
        elif len(row) == 11:
            handles = row[10]
            if handles and isinstance(handles, str):
                handles = [tuple(x.split(":", 1)) for x in handles.split(";") if ":" in x]
            yield (*row[:10], handles)
        else:
            builder.skipped += 1


def _build_range(path: str | Path, part: FileRange, validate: bool, today: date,
                 seen: set[int] | None = None) -> _Builder:
    """The builder of one byte range of a registry CSV (run in a worker process for all but the first)."""
    builder = _Builder()
    rows = iter_raw_range(path, part, today, seen) if validate else plain_range(path, part)
    builder.add_many(_index_rows(rows, builder))
    return builder


def _birth_int(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]

