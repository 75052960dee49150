"""The match engine: an in-process registry index, blocking, scoring, bands and explanations.

Build once per registry version (``MatchEngine.build`` / ``from_documents`` / ``from_csv``), then
``engine.match(record, excluded)`` per content item. Pure Python, no I/O besides reading the CSV.

Memory layout (national scale, ~4.8 M people): one row per person in compact columns --
``array`` of NIP as int64, birth date as int, sex byte, interned agency/unit/position/region
indexes, names as UTF-8 in one ``bytearray`` with offsets (raw and normalised), handles likewise.
Blocking keys (full name key, name-part pairs, name part + region, name part + non-regional agency,
NIP, ``platform:handle``) are hashed into a power-of-two table stored CSR-style (``offsets`` +
``postings`` arrays); a bucket may hold unrelated people whose keys collide, so every posting
carries 16 more bits of its key's hash (``tags``) and reads skip the other keys' postings. Keys are
built from ints only (key kind, content-derived ids of name parts, codes and handles, NIPs), so the
table, and every result, is the same in every process and for any row order: ``hash()`` of a str
changes with ``PYTHONHASHSEED``. No per-person Python objects survive the build. What a lookup
would otherwise count again and again is counted with the index: per person, how many people share
its full name (the term frequency of its name evidence), per name part how many hold it, per unit
and position its role words.

A lookup's cost is spread over about a hundred lines of Python per candidate, so the scorer avoids
work rather than doing it faster: a candidate found by name alone is rejected before its features
are built once it cannot reach ``review`` (the start of ``_score``), candidates sharing a name are compared
once per query, and blocking reads many postings at a time (``Counter.update``, a numpy gather of
NIPs for the tie-break).

Scoring (``anchors.md`` 2.4, 2.9): main features are ``nip_exact`` (0.99 in bio/name, 0.92 in the
post), ``handle_exact`` (0.95, same platform) and the name path (``NAME_WEIGHT`` x similarity plus
qualifiers: region, agency, unit and role corroboration, NIP-derived sex and birth year against what
the profile states, commonness of the name, mismatches). The score is the larger of the
identifier path and the name path. ``band = match`` when score >= threshold, ``review`` when
score >= threshold - ``REVIEW_MARGIN``. A name alone can reach at most ``NAME_WEIGHT`` +
``UNIQUE_NAME_BONUS`` < any valid threshold, so it is never ``match``; several near-equal
name-only candidates are all pushed down (``ambiguity``).
"""
from __future__ import annotations

import hashlib
import math
import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from shared.schemas import ContentRecord, Match, RegistryPerson, Subject

from .gazetteer import Gazetteer, Mentions, roles_in
from .handles import extract_profile_handles, handle_key, normalize_platform
from .names import name_similarity, parse_name, registry_token_keys, tokens_for_index
from .nip import NipInfo, extract_nips, mask_nip
from .registry_csv import FileRange, RawRow, RowError, iter_raw_range, plain_range, split_ranges

ALGORITHM = "pantau-match"
ALGORITHM_VERSION = "1"
REVIEW_MARGIN = 0.30

NIP_IN_PROFILE = 0.99
NIP_IN_CONTENT = 0.92
HANDLE_SAME_PLATFORM = 0.95
HANDLE_IN_BIO = 0.90
HANDLE_OTHER_PLATFORM = 0.45
NAME_WEIGHT = 0.60
UNIQUE_NAME_BONUS = 0.03
REGENCY_BONUS = 0.15
PROVINCE_BONUS = 0.06
PLACE_MISMATCH = -0.12
AGENCY_BONUS = 0.15
AGENCY_MISMATCH = -0.08
UNIT_BONUS = 0.20  # a unit name found in one place only (implies the region too)
GENERIC_UNIT_BONUS = 0.08  # "Dinas Sosial", "Sekretariat Daerah": exists everywhere
ROLE_BONUS = 0.06
CONTENT_FACTOR = 0.6  # corroboration found only in the post, not the profile
SEX_AGREES = 0.02
SEX_MISMATCH = -0.25
BIRTH_AGREES = 0.05
BIRTH_MISMATCH = -0.25
NAME_CONFLICT = -0.15
AMBIGUITY_GAP = 0.05
MIN_NAME_SIMILARITY = 0.6
MAX_NAME_TOKENS = 6
TOKEN_PROBE_DIVISOR = 4
SCORED_PER_ITEM = 12

_REGIONAL_PREFIXES = ("PEMKAB-", "PEMKOT-")
# Blocking key kinds: full name, name part, two name parts, part + region, part + agency, NIP, handle.
_FULL, _PART, _PAIR, _REGION, _AGENCY, _NIP, _HANDLE = range(7)
DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / "config" / "match.yaml"


class MatchConfig(BaseModel):
    """``config/match.yaml``. ``threshold`` is the one knob; the review cut-off follows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    threshold: float = Field(0.80, ge=NAME_WEIGHT + UNIQUE_NAME_BONUS + 0.01, le=0.99)
    max_results: int = Field(5, ge=1, le=50)
    candidate_cap: int = Field(200, ge=10, le=5000)
    # Rarity (term-frequency) gate: a candidate found by name alone (no NIP, no handle, nothing in the
    # post or profile corroborating it) is kept only when the query is at least two name parts and at
    # most this many registry people are expected to hold the name ("nama ini dimiliki ±N ASN").
    rare_name_max_holders: int = Field(3, ge=1, le=1000)
    # Re-screening: when a new registry version becomes active, partisan content of the last
    # ``rescreen_days`` days is matched again against it (people or handles added are found).
    rescreen_days: int = Field(30, ge=0, le=3650)

    @cached_property  # read by every lookup
    def review_threshold(self) -> float:
        return round(self.threshold - REVIEW_MARGIN, 4)


def load_config(path: str | Path | None = None) -> MatchConfig:
    """``path``, else the configuration surface (``$PANTAU_MATCH_CONFIG``, else
    ``$PANTAU_CONFIG_DIR/match.yaml``, else the packaged ``match.yaml``). A missing file is an error."""
    from shared.settings import config_paths

    chosen = path or config_paths().match
    data = yaml.safe_load(Path(chosen).read_text(encoding="utf-8")) or {}
    return MatchConfig.model_validate(data)


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

    def add_many(self, rows: Iterable[tuple]) -> None:
        """Rows in CSV order; field 10 is an iterable of (platform, handle) pairs. Tight loop, locals only."""
        nips_append, births_append, sex_append = self.nips.append, self.births.append, self.sex.append
        agency_append, unit_append = self.agency.append, self.unit.append
        position_append, place_append = self.position.append, self.place.append
        names, name_off_append = self.names, self.name_off.append
        norm, norm_off_append = self.norm, self.norm_off.append
        handles_blob, handle_off_append = self.handles, self.handle_off.append
        hashes_extend, pids_extend, full_keys_append = self.hashes.extend, self.pids.extend, self.full_keys.append
        agencies, units, positions, places = self.agencies, self.units, self.positions, self.places
        a_get, u_get, p_get, l_get = agencies.index.get, units.index.get, positions.index.get, places.index.get
        pid = len(self.nips)
        regional = self.regional_agency
        unit_place = self.unit_place
        unit_place_append = unit_place.append
        place_ids, agency_ids = self.place_ids, self.agency_ids
        id_of = self.token_ids.__getitem__
        full, part, pair, region, agency, handle_kind = _FULL, _PART, _PAIR, _REGION, _AGENCY, _HANDLE
        for nip, name, birth, gender, agency_code, agency_name, unit, position, province, regency, handles in rows:
            tokens, keys = tokens_for_index(name)
            nip_int = int(nip)
            nips_append(nip_int)
            births_append(int(birth[:10].replace("-", "")))
            sex_append(2 if gender == "F" else 1)
            agency_index = a_get(agency_code)
            if agency_index is None:
                agency_index = agencies(agency_code)
                self.agency_names.append(agency_name)
                regional.append(agency_code.startswith(_REGIONAL_PREFIXES))
                agency_ids.append(_stable_id(agency_code))
            agency_append(agency_index)
            place_key = regency or province
            place_index = l_get(place_key)
            if place_index is None:
                place_index = places(place_key)
                self.place_pairs.append((province, regency))
                place_ids.append(_stable_id(place_key))
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
                stored = []
                for platform, handle in handles:
                    hk = handle_key(platform, handle)
                    if hk:
                        out.append(hash((handle_kind, _stable_id(hk))))
                        stored.append(f"{platform}:{handle}")
                if stored:
                    handles_blob += ";".join(stored).encode()
            handle_off_append(len(handles_blob))
            hashes_extend(out)
            pids_extend((pid,) * len(out))
            pid += 1


PARALLEL_MIN_BYTES = 32 << 20  # below this, starting a process costs more than it saves


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


def _as_array(typecode: str, values: np.ndarray) -> array:
    out = array(typecode)
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return out


class MatchEngine:
    """Immutable once built; ``match`` is safe to call from several threads."""

    def __init__(self, builder: _Builder, registry_version: str, config: MatchConfig | None = None) -> None:
        self.registry_version = registry_version
        self.config = config or load_config()
        self.size = len(builder.nips)
        self.skipped = builder.skipped
        self._nips, self._births, self._sex = builder.nips, builder.births, bytes(builder.sex)
        self._nip_values = np.frombuffer(self._nips, dtype=np.int64)  # a view, for vectorised reads
        self._agency, self._unit, self._position, self._place = builder.agency, builder.unit, builder.position, builder.place
        self._names, self._name_off = bytes(builder.names), builder.name_off
        self._norm, self._norm_off = bytes(builder.norm), builder.norm_off
        self._handles, self._handle_off = bytes(builder.handles), builder.handle_off
        self._agencies: list[tuple[str, str]] = list(zip(builder.agencies.values, builder.agency_names))
        self._agency_index = dict(builder.agencies.index)
        self._units: list[str] = builder.units.values
        self._positions: list[str] = builder.positions.values
        self._places: list[tuple[str, str]] = builder.place_pairs
        self._place_index: dict[str, int] = dict(builder.places.index)
        self._place_ids, self._agency_ids = builder.place_ids, builder.agency_ids
        self._token_ids = dict(builder.token_ids)  # plain: a lookup must not add a key
        self._unit_place = builder.unit_place
        # Role words of every unit and position, one shared set per distinct answer.
        self._unit_roles, self._position_roles = _roles_of(self._units), _roles_of(self._positions)
        self._build_table(builder)
        self._name_holders = self._count_name_holders(builder)
        # How many people hold each name part (the query's expected holders multiply their shares).
        self._token_counts = {token_id: self._key_count((_PART, token_id)) for token_id in self._token_ids.values()}
        self.gazetteer = Gazetteer(self._units)

    # --- construction ----------------------------------------------------------------------
    def _build_table(self, builder: _Builder) -> None:
        """Postings grouped by bucket (a stable sort on the bucket index, in numpy: a Python counting
        sort over 43 M postings was a third of a national build). Each bucket holds its postings in
        reverse insertion order; ``offsets[b]:offsets[b + 1]`` is bucket ``b``. Lookups read plain
        ``array``s (indexing one is several times cheaper than indexing a numpy array)."""
        total = len(builder.hashes)
        buckets = 1 << max(10, (max(total, 1) - 1).bit_length())
        mask = buckets - 1
        hashes = np.frombuffer(builder.hashes, dtype=np.int64) if total else np.zeros(0, np.int64)
        bucket = (hashes & mask).astype(np.uint32)
        tags = (hashes >> 48).astype(np.uint16)  # the top 16 bits, as in _bucket
        del hashes
        builder.hashes = array("q")
        # Stable on the reversed sequence, then mapped back: ascending buckets, latest posting first.
        order = np.argsort(bucket[::-1], kind="stable")
        np.subtract(total - 1, order, out=order)
        pids = np.frombuffer(builder.pids, dtype=np.uint32) if total else np.zeros(0, np.uint32)
        postings, tags = pids[order], tags[order]
        del order, pids
        builder.pids = array("I")
        offsets = np.zeros(buckets + 1, dtype=np.uint32)
        np.cumsum(np.bincount(bucket, minlength=buckets), dtype=np.uint32, out=offsets[1:])
        del bucket
        self._mask = mask
        self._offsets = _as_array("I", offsets)
        self._postings = _as_array("I", postings)
        self._tags = _as_array("H", tags)

    @staticmethod
    def _count_name_holders(builder: _Builder) -> array:
        """Per person, how many registry people share its full name (equal full-name keys): the
        term frequency a candidate's name evidence is weighed by, counted once for the registry
        rather than per lookup from its bucket."""
        if not builder.full_keys:
            return array("I")
        keys = np.frombuffer(builder.full_keys, dtype=np.int64)
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        builder.full_keys = array("q")
        return _as_array("I", counts.astype(np.uint32)[inverse])

    @classmethod
    def build(cls, persons: Iterable[RegistryPerson], registry_version: str,
              config: MatchConfig | None = None) -> MatchEngine:
        builder = _Builder()
        for p in persons:
            builder.add(p.nip, p.name, p.birth_date.isoformat(), p.gender, p.agency_code, p.agency_name, p.unit,
                        p.position, p.province_code, p.regency_code, ((h.platform, h.handle) for h in p.handles))
        return cls(builder, registry_version, config)

    @classmethod
    def from_documents(cls, documents: Iterable[Mapping[str, Any]], registry_version: str,
                       config: MatchConfig | None = None) -> MatchEngine:
        """Registry documents as stored by the import (CSV field names, ``handles`` as a list of
        ``{"platform", "handle"}``). Documents missing a field are skipped and counted."""
        builder = _Builder()

        def rows() -> Iterator[tuple]:
            for doc in documents:
                try:
                    handles = doc.get("handles") or ()
                    pairs = [(h["platform"], h["handle"]) for h in handles] if not isinstance(handles, str) else \
                        [tuple(x.split(":", 1)) for x in handles.split(";") if ":" in x]
                    nip = str(doc["nip"])
                    if len(nip) != 18 or not nip.isdigit():
                        raise ValueError("nip")
                    yield (nip, str(doc["name"]), _birth_int(doc["birth_date"]), doc["gender"], doc["agency_code"],
                           doc.get("agency_name", "") or "", doc.get("unit", "") or "", doc.get("position", "") or "",
                           doc.get("province_code", "") or "", doc.get("regency_code", "") or "", pairs)
                except (KeyError, TypeError, ValueError):
                    builder.skipped += 1

        builder.add_many(rows())
        return cls(builder, registry_version, config)

    @classmethod
    def from_rows(cls, rows: Iterable[RawRow | RowError | tuple], registry_version: str,
                  config: MatchConfig | None = None) -> MatchEngine:
        """Fast path: validated ``RawRow``s (errors are skipped and counted) or plain CSV-order tuples."""
        builder = _Builder()
        builder.add_many(_index_rows(rows, builder))
        return cls(builder, registry_version, config)

    @classmethod
    def from_csv(cls, path: str | Path, registry_version: str | None = None, config: MatchConfig | None = None,
                 validate: bool = True, workers: int | None = None) -> MatchEngine:
        """Index a registry CSV file. Bad rows are skipped (``engine.skipped``); a bad header raises
        ``RegistryFormatError``. Without ``registry_version`` the version is the file's SHA-256 prefix.

        A large file is read, checked and indexed in ``workers`` processes (default: the usable
        cores from ``PARALLEL_MIN_BYTES`` on), one byte range each, and the parts joined in file order: the index is the one a
        single pass builds, bit for bit (duplicate NIPs across ranges included)."""
        if registry_version is None:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            registry_version = "csv-" + digest.hexdigest()[:16]
        size = os.path.getsize(path)
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if size >= PARALLEL_MIN_BYTES else 1
        ranges = split_ranges(path, workers) if workers > 1 else [FileRange(0, size, 1)]
        today = date.today()
        if len(ranges) == 1:
            return cls(_build_range(path, ranges[0], validate, today), registry_version, config)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(len(ranges) - 1, mp_context=multiprocessing.get_context("spawn")) as pool:
            others = [pool.submit(_build_range, path, part, validate, today) for part in ranges[1:]]
            builder = _build_range(path, ranges[0], validate, today)
            for part in ranges[1:]:
                other = others.pop(0).result()  # popped: the future would keep the part alive
                if validate and np.intersect1d(np.frombuffer(builder.nips, np.int64),
                                               np.frombuffer(other.nips, np.int64)).size:
                    # A NIP already on an earlier range: check this range again knowing them (rare).
                    other = _build_range(path, part, validate, today, seen=set(builder.nips))
                builder.extend(other)
                del other
        return cls(builder, registry_version, config)

    # --- accessors -------------------------------------------------------------------------
    def _bucket(self, key: tuple) -> tuple[int, int, int]:
        """(start, end, tag) of ``key``'s postings; those with another tag belong to other keys. The
        tag is the top 16 bits of the key's hash, which the bucket index (its low bits) does not use."""
        h = hash(key)
        b = h & self._mask
        return self._offsets[b], self._offsets[b + 1], h >> 48 & 0xFFFF

    def nip_of(self, pid: int) -> str:
        return f"{self._nips[pid]:018d}"

    def name_of(self, pid: int) -> str:
        return self._names[self._name_off[pid]:self._name_off[pid + 1]].decode()

    def _norm_name(self, pid: int) -> str:
        """The normalised name: its tokens separated by single spaces."""
        return self._norm[self._norm_off[pid]:self._norm_off[pid + 1]].decode()

    def _norm_tokens(self, pid: int) -> tuple[str, ...]:
        return tuple(self._norm_name(pid).split())

    def handles_of(self, pid: int) -> list[tuple[str, str]]:
        raw = self._handles[self._handle_off[pid]:self._handle_off[pid + 1]].decode()
        return [tuple(item.split(":", 1)) for item in raw.split(";") if ":" in item]  # type: ignore[misc]

    def person(self, pid: int) -> RegistryPerson:
        from shared.schemas import Handle
        born = self._births[pid]
        agency_code, agency_name = self._agencies[self._agency[pid]]
        province, regency = self._places[self._place[pid]]
        return RegistryPerson(
            nip=self.nip_of(pid), name=self.name_of(pid), birth_date=date(born // 10000, born // 100 % 100, born % 100),
            gender="F" if self._sex[pid] == 2 else "M", agency_code=agency_code, agency_name=agency_name,
            unit=self._units[self._unit[pid]], position=self._positions[self._position[pid]],
            province_code=province, regency_code=regency,
            handles=[Handle(platform=p, handle=h) for p, h in self.handles_of(pid)])

    def subject(self, pid: int) -> Subject:
        return Subject.model_validate(self._subject_fields(pid))

    def _subject_fields(self, pid: int) -> dict[str, str]:
        agency_code, agency_name = self._agencies[self._agency[pid]]
        province, regency = self._places[self._place[pid]]
        return {"nip": self.nip_of(pid), "name": self.name_of(pid), "agency_code": agency_code,
                "agency_name": agency_name, "unit": self._units[self._unit[pid]],
                "position": self._positions[self._position[pid]], "province_code": province, "regency_code": regency}

    def _key_count(self, key: tuple) -> int:
        """Postings of ``key``: people holding it, plus any of another key with its bucket and tag."""
        start, end, tag = self._bucket(key)
        return self._tags[start:end].count(tag)

    def token_count(self, token_id: int) -> int:
        """How many registry people have this name part."""
        return self._token_counts[token_id]

    def find_nip(self, nip: str) -> int | None:
        value = int(nip)
        start, end, _ = self._bucket((_NIP, value))
        for i in range(start, end):
            pid = self._postings[i]
            if self._nips[pid] == value:
                return pid
        return None

    def __len__(self) -> int:
        return self.size

    # --- query -----------------------------------------------------------------------------
    @staticmethod
    def author_key(record: ContentRecord) -> str:
        """Who wrote it, as a stable key for judgements: ``platform:handle``, else ``name:<normalised>``."""
        key = handle_key(record.source, record.author.handle) if record.author.handle else None
        if key:
            return key
        if record.author.display_name:
            parsed = parse_name(record.author.display_name)
            if parsed.tokens:
                return "name:" + parsed.normalized
        return ""

    def match(self, record: ContentRecord, excluded: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset()) -> list[Match]:
        return _Query(self, record).run(excluded)

    def match_with_frequency(self, record: ContentRecord,
                             excluded: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset()
                             ) -> list[tuple[Match, int | None]]:
        """As ``match``, each result with the expected number of registry holders of the name."""
        return _Query(self, record).run_with_frequency(excluded)

    def explain_config(self) -> dict[str, Any]:
        return {"algorithm": ALGORITHM, "algorithm_version": ALGORITHM_VERSION, "threshold": self.config.threshold,
                "review_threshold": self.config.review_threshold, "registry_version": self.registry_version}


def _roles_of(texts: list[str]) -> list[frozenset[str]]:
    """``roles_in`` of each text; equal answers share one set (most units name no role, or one)."""
    shared: dict[frozenset[str], frozenset[str]] = {}
    return [shared.setdefault(roles, roles) for roles in map(roles_in, texts)]


@lru_cache(maxsize=4096)
def _holders_text(holders: int) -> str:
    """For people (Indonesian): how common the name is in the registry."""
    return f"nama ini dimiliki \u00b1{holders:,} ASN".replace(",", ".")


def _fe(feature: str, score: float, detail: str, query: Any = None, candidate: Any = None) -> tuple:
    """A feature as a plain tuple; turned into explanation fields only for returned results."""
    return (feature, score, detail, query, candidate)


def _explanation(item: tuple) -> dict[str, Any]:
    """A feature as ``FeatureExplanation``'s fields: a ``Match`` validated from plain fields in one
    call costs about half of building each nested model first."""
    feature, score, detail, query, candidate = item
    return {"feature": feature, "score": round(score, 4), "detail": detail,
            "query_value": None if query is None else str(query),
            "candidate_value": None if candidate is None else str(candidate)}


class _Query:
    """One content item against the index."""

    def __init__(self, engine: MatchEngine, record: ContentRecord) -> None:
        self.engine = engine
        self.record = record
        author = record.author
        self.platform = normalize_platform(record.source)
        self.handle_key = handle_key(record.source, author.handle) if author.handle else None
        profile_text = " ".join(x for x in (author.display_name, author.bio) if x)
        content_parts = [record.text or ""]
        for media in record.media:
            content_parts.extend(x for x in (media.caption, media.ocr_text) if x)
        content_text = " ".join(p for p in content_parts if p)
        self.nips: list[tuple[NipInfo, str]] = [(info, "profile") for info in extract_nips(profile_text)]
        seen = {info.nip for info, _ in self.nips}
        self.nips += [(info, "content") for info in extract_nips(content_text) if info.nip not in seen]
        self.bio_handles = [k for k in extract_profile_handles(author.bio) if k != self.handle_key]
        name_source = author.display_name
        self.name_from_handle = False
        if not name_source and author.handle:
            name_source = author.handle.replace(".", " ").replace("_", " ")
            name_source = "".join(ch if not ch.isdigit() else " " for ch in name_source)
            self.name_from_handle = True
        self.name = parse_name(name_source) if name_source else None
        if self.name and not any(len(t) > 1 for t in self.name.tokens):
            self.name = None
        gaz = engine.gazetteer
        self.profile = gaz.scan(profile_text)
        self.content = gaz.scan(content_text)
        self.gender = (self.name.gender_hint if self.name and not self.name_from_handle else None) or self.profile.gender
        self.birth_year = self.profile.birth_year
        self.author_key = engine.author_key(record)
        self.evidence = self.content.evidence | self.profile.evidence
        self.all_regencies = self.profile.regencies | self.content.regencies
        self.all_provinces = self.profile.provinces | self.content.provinces
        self.all_agencies = self.profile.agencies | self.content.agencies
        self.all_roles = self.profile.roles | self.content.roles
        self.all_units = self.profile.units | self.content.units
        self.all_places = self.all_regencies | self.all_provinces  # "33" and "33.74" never collide
        self._query_frequency: int | None = None
        self._name_gated: bool | None = None
        self.similarities: dict[str, float] = {}  # a candidate's normalised name -> name similarity
        self.name_weight = NAME_WEIGHT * (0.85 if self.name_from_handle else 1.0)
        # Below this, ``name_weight x similarity`` plus the most an uncorroborated candidate's name
        # path can add stays under the floor (1e-4 under it: scores are compared rounded to 4 decimals).
        self.uncorroborated_floor = (engine.config.review_threshold - 1e-4 - UNIQUE_NAME_BONUS
                                     - (SEX_AGREES if self.gender else 0.0) - (BIRTH_AGREES if self.birth_year else 0.0))
        self.frequencies: dict[int, int] = {}  # pid -> expected holders of the name (for the review queue)
        # One informative name part (initials do not count): never enough on its own.
        self.single_token = not self.name or len({k for k in self.name.keys if len(k) >= 2}) < 2
        # Anything in the profile or post that could corroborate a candidate (see ``_score``).
        self.could_corroborate = bool(self.all_places or self.all_agencies or self.all_roles or self.all_units)

    # candidates: pid -> reasons
    def _candidates(self) -> dict[int, dict[str, Any]]:
        e = self.engine
        cands: dict[int, dict[str, Any]] = {}
        for info, where in self.nips:
            pid = e.find_nip(info.nip)
            if pid is not None:
                cands.setdefault(pid, {})["nip"] = (info, where)
        handle_keys = ([(self.handle_key, "same")] if self.handle_key else []) + [(k, "bio") for k in self.bio_handles]
        tags = e._tags
        for key, where in handle_keys:
            start, end, tag = e._bucket((_HANDLE, _stable_id(key)))
            for i in range(start, end):
                if tags[i] != tag:
                    continue
                pid = e._postings[i]
                for platform, handle in e.handles_of(pid):
                    if handle_key(platform, handle) == key:
                        cands.setdefault(pid, {})["handle"] = (key, where, f"{platform}:{handle}")
            if where == "same" and self.platform:
                # The same username on another platform is weak evidence (review at most).
                bare = key.split(":", 1)[1]
                for other in ("instagram", "x", "tiktok", "facebook", "youtube"):
                    if other == self.platform:
                        continue
                    other_key = handle_key(other, bare)
                    if not other_key:
                        continue
                    start, end, tag = e._bucket((_HANDLE, _stable_id(other_key)))
                    for i in range(start, end):
                        pid = e._postings[i]
                        if tags[i] != tag or pid in cands and "handle" in cands[pid]:
                            continue
                        for platform, handle in e.handles_of(pid):
                            if handle_key(platform, handle) == other_key:
                                cands.setdefault(pid, {})["handle_other"] = (key, f"{platform}:{handle}")
        if self.name and (self.could_corroborate or not self.name_gated()):
            # Else nobody found by name alone could pass the rarity gate: skip the name blocking.
            keys = self.name.keys[:MAX_NAME_TOKENS]
            # Name parts no registry person has cannot be in any key: they give no probes.
            known = {k: e._token_ids[k] for k in keys if k in e._token_ids}
            unique = sorted(set(known.values()))
            probes = [(_FULL, *sorted(map(known.__getitem__, keys)))] if len(known) == len(set(keys)) else []
            token_probes = [(_PART, a) for k, a in known.items() if len(k) >= 3]
            for i, a in enumerate(unique):
                for b in unique[i + 1:]:
                    probes.append((_PAIR, a, b))
            places = set(self.profile.regencies) | set(self.content.regencies)
            agencies = {a for a in self.profile.agencies | self.content.agencies if not a.startswith(_REGIONAL_PREFIXES)}
            place_indexes = {e._place_index[p] for p in places | self.profile.provinces | self.content.provinces
                             if p in e._place_index}
            for unit in self.all_units:
                if e._unit_place[unit]:
                    place_indexes.add(e._unit_place[unit])
            place_ids = [e._place_ids[i] for i in place_indexes]
            agency_ids = [e._agency_ids[e._agency_index[a]] for a in agencies if a in e._agency_index]
            for k, a in known.items():
                if len(k) < 2:
                    continue
                for place in place_ids:
                    probes.append((_REGION, a, place))
                for agency in agency_ids:
                    probes.append((_AGENCY, a, agency))
            cap = e.config.candidate_cap
            added = self._take(probes, cands, cap)
            if not added:
                # Nobody holds two of the name parts, or a part and a named place or agency (people in
                # the same buckets under other keys do not count): try single rare name parts
                # (nicknames, one name part misspelt), with a tighter cap.
                fallback_cap = max(10, cap // TOKEN_PROBE_DIVISOR)
                self._take(token_probes, cands, fallback_cap, select=fallback_cap)
        return cands

    def _take(self, probes: list[tuple], cands: dict[int, dict[str, Any]], cap: int,
              select: int = SCORED_PER_ITEM) -> int:
        """Blocking: read the buckets of ``probes`` that hold at most ``cap`` postings (smallest first,
        ``cap`` in all), weigh each person by the evidence of the probes that found them (a full-name
        or two-part key counts 2, a part+place or part+agency key 1) and keep the best ``select``
        for scoring, ties by NIP. Returns how many people holding a probed key it added."""
        e = self.engine
        ranges = []
        for probe in probes:
            start, end, tag = e._bucket(probe)
            if 0 < end - start <= cap:
                ranges.append((end - start, start, end, tag, 2 if probe[0] in (_FULL, _PAIR) else 1))
        ranges.sort()
        budget = cap
        weights: Counter[int] = Counter()
        postings, tags = e._postings, e._tags
        for size, start, end, tag, weight in ranges:
            if size > budget:
                break
            budget -= size
            run = postings[start:end]
            if tags[start:end].count(tag) != size:  # other keys' postings share the bucket
                run = [pid for pid, posting_tag in zip(run, tags[start:end]) if posting_tag == tag]
            for _ in range(weight):
                weights.update(run)  # counted in C
        chosen: Iterable[int] = weights
        if len(weights) > select:
            # The heaviest, ties by NIP (candidates are scored and ranked independently of their
            # order, so only which ones matters). At national scale every NIP read is a cache miss:
            # numpy's gather overlaps them, where a Python sort key waits for each in turn.
            count = len(weights)
            pids = np.fromiter(weights, np.intp, count)
            order = np.lexsort((e._nip_values[pids], -np.fromiter(weights.values(), np.intp, count)))
            chosen = pids[order[:select]].tolist()
        added = 0
        for pid in chosen:
            if pid not in cands:
                cands[pid] = {}
                added += 1
        return added

    def _corroborated(self, pid: int) -> bool:
        """Whether the post or profile names this person's unit, region, agency or role: the
        ``corroborated`` that ``_score`` finds, without building its features."""
        e = self.engine
        if e._unit[pid] in self.all_units:
            return True
        province, regency = e._places[e._place[pid]]
        places = self.all_places
        if regency in places or province in places or e._agencies[e._agency[pid]][0] in self.all_agencies:
            return True
        return bool(self.all_roles) and not self._roles(pid).isdisjoint(self.all_roles)

    def _name_too_common(self, pid: int) -> bool:
        """The rarity gate: a first name alone, or a name that more than ``rare_name_max_holders``
        registry people hold (the query's expected holders or this candidate's), says nothing about
        who the author is; without corroboration or an exact key it gives no name score."""
        return self.name_gated() or self.engine._name_holders[pid] > self.engine.config.rare_name_max_holders

    def _score(self, pid: int, reasons: dict[str, Any]) -> tuple[float, list[tuple], bool, bool]:
        e = self.engine
        # A candidate found by name alone (no reasons) is rejected before its features are built once
        # ``_score`` would give it nothing: ``_corroborated`` is asked only when that depends on it.
        corroboration: bool | None = None
        if not reasons and self._name_too_common(pid):
            corroboration = self._corroborated(pid)
            if not corroboration:
                return 0.0, [], False, False
        c_name = e._norm_name(pid)
        sim = self.similarities.get(c_name)
        if sim is None:  # candidates of one query often share a name: compared once
            sim = 0.0
            if self.name:
                c_tokens = tuple(c_name.split())
                sim = name_similarity(self.name.tokens, self.name.keys, c_tokens,
                                      tuple(map(registry_token_keys.__getitem__, c_tokens)))
            self.similarities[c_name] = sim
        if not reasons and (sim < MIN_NAME_SIMILARITY or self.name_weight * sim < self.uncorroborated_floor
                            and not (corroboration or self._corroborated(pid))):
            return 0.0, [], False, False  # under the floor even with every bonus left to it uncorroborated
        feats: list[tuple] = []
        born = e._births[pid]
        sex = "F" if e._sex[pid] == 2 else "M"
        # Identifier path.
        id_score = 0.0
        if "nip" in reasons:
            info, where = reasons["nip"]
            value = NIP_IN_PROFILE if where == "profile" else NIP_IN_CONTENT
            id_score = max(id_score, value)
            feats.append(_fe("nip_exact", value, f"valid {info.kind.upper()} number written in the {where}",
                             info.formatted, e.nip_of(pid)))
        if "handle" in reasons:
            key, where, stored = reasons["handle"]
            value = HANDLE_SAME_PLATFORM if where == "same" else HANDLE_IN_BIO
            id_score = max(id_score, value)
            feats.append(_fe("handle_exact", value, "author handle equals a registered handle" if where == "same"
                             else "profile link in the bio equals a registered handle", key, stored))
        elif "handle_other" in reasons:
            key, stored = reasons["handle_other"]
            id_score = max(id_score, HANDLE_OTHER_PLATFORM)
            feats.append(_fe("handle_other_platform", HANDLE_OTHER_PLATFORM,
                             "same username registered on another platform", key, stored))
        # Name path.
        has_id = id_score > 0.0
        if not has_id and sim < MIN_NAME_SIMILARITY:
            return 0.0, feats, False, False
        qualifiers = 0.0
        corroborated = False
        if self.name:
            feats.append(_fe("name_similarity", self.name_weight * sim,
                             f"name similarity {sim:.2f}" + (" (name taken from the handle)" if self.name_from_handle else ""),
                             self.name.normalized, c_name))
        name_score = self.name_weight * sim if sim >= MIN_NAME_SIMILARITY else 0.0
        # Region.
        province, regency = e._places[e._place[pid]]
        prof, cont = self.profile, self.content
        place_value = regency or province
        unit_index = e._unit[pid]
        specific_unit = bool(e._unit_place[unit_index]) and unit_index in self.all_units
        if specific_unit:
            pass  # the unit names the place already (see unit_corroboration)
        elif regency and regency in self.all_regencies:
            factor = 1.0 if regency in prof.regencies else CONTENT_FACTOR
            qualifiers += REGENCY_BONUS * factor
            corroborated = True
            feats.append(_fe("region_corroboration", REGENCY_BONUS * factor, "regency/city named in the "
                             + ("profile" if factor == 1.0 else "post"),
                             self.evidence.get(f"regency:{regency}"), regency))
        elif province and province in self.all_provinces:
            factor = 1.0 if province in prof.provinces else CONTENT_FACTOR
            qualifiers += PROVINCE_BONUS * factor
            corroborated = True
            feats.append(_fe("region_corroboration", PROVINCE_BONUS * factor, "province named",
                             ",".join(sorted(self.all_provinces)), province))
        elif prof.any_place and not specific_unit:
            qualifiers += PLACE_MISMATCH
            feats.append(_fe("region_mismatch", PLACE_MISMATCH, "profile names another region",
                             ",".join(sorted(prof.regencies or prof.provinces)), place_value))
        # Agency.
        agency_code, _ = e._agencies[e._agency[pid]]
        if agency_code in self.all_agencies:
            factor = 1.0 if agency_code in prof.agencies else CONTENT_FACTOR
            qualifiers += AGENCY_BONUS * factor
            corroborated = True
            feats.append(_fe("agency_corroboration", AGENCY_BONUS * factor, "employing agency named",
                             self.evidence.get(f"agency:{agency_code}"), agency_code))
        elif prof.agencies:
            qualifiers += AGENCY_MISMATCH
            feats.append(_fe("agency_mismatch", AGENCY_MISMATCH, "profile names another agency",
                             ",".join(sorted(prof.agencies)), agency_code))
        if unit_index in self.all_units:
            factor = 1.0 if unit_index in prof.units else CONTENT_FACTOR
            specific = bool(e._unit_place[unit_index])
            bonus = (UNIT_BONUS if specific else GENERIC_UNIT_BONUS) * factor
            qualifiers += bonus
            corroborated = True
            feats.append(_fe("unit_corroboration", bonus, "work unit named" + ("" if specific else " (a unit name used in many places)"),
                             self.evidence.get(f"unit:{unit_index}"), e._units[unit_index]))
        if self.all_roles:  # else no role can be shared: skip the candidate's roles
            roles = self._roles(pid)
            shared_roles = roles & self.all_roles
            if shared_roles:
                factor = 1.0 if roles & prof.roles else CONTENT_FACTOR
                qualifiers += ROLE_BONUS * factor
                corroborated = True
                feats.append(_fe("role_corroboration", ROLE_BONUS * factor, "role or workplace type named",
                                 ",".join(sorted(shared_roles)), e._positions[e._position[pid]]))
        # Consistency with the NIP / registry facts the profile states.
        consistency = 0.0
        if self.gender:
            if self.gender == sex:
                consistency += SEX_AGREES
                feats.append(_fe("sex_consistency", SEX_AGREES, "stated sex agrees with the NIP", self.gender, sex))
            else:
                consistency += SEX_MISMATCH
                feats.append(_fe("sex_mismatch", SEX_MISMATCH, "stated sex contradicts the NIP", self.gender, sex))
        if self.birth_year:
            year = born // 10000
            if abs(self.birth_year - year) <= 1:
                consistency += BIRTH_AGREES
                feats.append(_fe("birth_year_consistency", BIRTH_AGREES, "stated birth year agrees with the NIP",
                                 self.birth_year, year))
            else:
                consistency += BIRTH_MISMATCH
                feats.append(_fe("birth_year_mismatch", BIRTH_MISMATCH, "stated birth year contradicts the NIP",
                                 self.birth_year, year))
        exact = "nip" in reasons or "handle" in reasons
        if name_score > 0.0:
            # Term-frequency adjustment (splink; nomenklatura weighs by rarity): how many registry
            # people are expected to hold this name, from the registry's own token counts.
            holders = max(e._name_holders[pid], self.query_frequency())
            if not corroborated and not exact and self._name_too_common(pid):
                name_score = 0.0
            elif holders == 1 and sim >= 0.95:
                qualifiers += UNIQUE_NAME_BONUS
                feats.append(_fe("name_commonness", UNIQUE_NAME_BONUS, _holders_text(1),
                                 self.name.normalized if self.name else None, 1))
            elif holders > 1 and not corroborated:
                # With corroboration, several people of this name are handled by the ambiguity rule.
                penalty = min(0.25, 0.06 * math.log2(holders))
                qualifiers -= penalty
                feats.append(_fe("name_commonness", -penalty, _holders_text(holders),
                                 self.name.normalized if self.name else None, holders))
            else:
                feats.append(_fe("name_commonness", 0.0, _holders_text(holders),
                                 self.name.normalized if self.name else None, holders))
            self.frequencies[pid] = holders
        name_total = name_score + qualifiers + consistency if name_score > 0.0 else 0.0
        id_total = 0.0
        if has_id:
            id_total = id_score + min(0.0, consistency)
            if self.name and not self.name_from_handle and sim < 0.5 and not (
                    "nip" in reasons and reasons["nip"][1] == "content"):
                id_total += NAME_CONFLICT
                feats.append(_fe("name_conflict", NAME_CONFLICT, "display name does not resemble the registry name",
                                 self.name.normalized, c_name))
            if sim >= 0.8:
                id_total += 0.02
        # Rounded as reported: 0.95 - 0.15 must be 0.80, not 0.7999999999999999 (`review`).
        score = round(max(0.0, min(1.0, max(id_total, name_total))), 4)
        return score, feats, has_id, corroborated

    def _roles(self, pid: int) -> frozenset[str]:
        """Role words of the candidate's position and unit."""
        e = self.engine
        return e._position_roles[e._position[pid]] | e._unit_roles[e._unit[pid]]

    def name_gated(self) -> bool:
        """A first name alone or a common full name: nobody is found by it without corroboration."""
        if self._name_gated is None:
            self._name_gated = self.single_token or self.query_frequency() > self.engine.config.rare_name_max_holders
        return self._name_gated

    def _holders(self, keys: tuple[str, ...]) -> int:
        """How many registry people have the name of these (registry) name-part keys."""
        e = self.engine
        return e._key_count((_FULL, *sorted(map(e._token_ids.__getitem__, keys))))

    def query_frequency(self) -> int:
        """How many registry people are expected to be called like the query: the larger of the
        exact full-name count and ``size x product of the name parts' shares`` (independent parts;
        parts no registry person has are left out). Computed once per query."""
        if self._query_frequency is None:
            e = self.engine
            keys = sorted({k for k in self.name.keys[:MAX_NAME_TOKENS] if len(k) >= 2}) if self.name else []
            ids = [e._token_ids[k] for k in keys if k in e._token_ids]
            estimate = float(e.size) if ids else 0.0
            for token_id in ids:
                estimate *= e.token_count(token_id) / max(1, e.size)
            exact = 0
            if self.name and all(k in e._token_ids for k in self.name.keys[:MAX_NAME_TOKENS]):
                exact = self._holders(tuple(self.name.keys[:MAX_NAME_TOKENS]))
            self._query_frequency = max(exact, round(estimate))
        return self._query_frequency

    def run(self, excluded: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> list[Match]:
        return [match for match, _ in self.run_with_frequency(excluded)]

    def run_with_frequency(self, excluded: frozenset[tuple[str, str]] | set[tuple[str, str]]
                           ) -> list[tuple[Match, int | None]]:
        """Results, each with how many registry people hold the name (None: found by key only)."""
        e = self.engine
        cfg = e.config
        # (score, nip, pid, feats, has_id, key_rank, corroborated); key_rank orders exact keys
        # (NIP in the profile, handle on the same platform, handle linked in the bio, NIP in the post).
        scored: list[tuple[float, str, int, list[tuple], bool, int, bool]] = []
        floor = cfg.review_threshold
        for pid, reasons in self._candidates().items():
            if excluded and (e.nip_of(pid), self.author_key) in excluded:
                continue
            score, feats, has_id, corroborated = self._score(pid, reasons)
            if score >= floor:
                scored.append((score, e.nip_of(pid), pid, feats, has_id, _key_rank(reasons), corroborated))
        if not scored:
            return []
        scored.sort(key=lambda item: (-item[0], item[1]))
        cap = round(cfg.threshold - 0.01, 4)
        # Ambiguity: several name-only candidates close to the top cannot all be the author, so none
        # of them is `match` (each stays a candidate for review).
        name_only = [s for s in scored if not s[4]]
        if len(name_only) >= 2 and name_only[0][0] - name_only[1][0] <= AMBIGUITY_GAP:
            top = name_only[0][0]
            group = sum(1 for s in name_only if top - s[0] <= AMBIGUITY_GAP)
            adjusted = []
            for score, nip, pid, feats, has_id, rank, corroborated in scored:
                if not has_id and top - score <= AMBIGUITY_GAP and score > cap:
                    feats = feats + [_fe("ambiguity", cap - score, f"{group} registry people fit about equally well; "
                                         "none can be `match` on name evidence")]
                    score = cap
                adjusted.append((score, nip, pid, feats, has_id, rank, corroborated))
            scored = sorted(adjusted, key=lambda item: (-item[0], item[1]))
        # One person per author: an exact key (NIP, same-platform or linked handle) decides who the
        # author is. Everyone else is `review` at most, and kept only when separately corroborated
        # (region, agency, unit, role) or holding an exact key of their own.
        keyed = [s for s in scored if s[5] < _NO_KEY]
        decider = min(keyed, key=lambda item: (item[5], -item[0], item[1])) if keyed else scored[0]
        final = [decider]
        for item in scored:
            if item is decider:
                continue
            score, nip, pid, feats, has_id, rank, corroborated = item
            if keyed and rank == _NO_KEY and not corroborated:
                continue
            if score > cap:
                why = ("the author is already identified by an exact key (NIP or handle)" if keyed
                       else "a better-fitting registry person is already `match` for this author")
                feats = feats + [_fe("one_person_per_author", cap - score, why)]
                score = cap
            if score >= floor:
                final.append((score, nip, pid, feats, has_id, rank, corroborated))
        final.sort(key=lambda item: (-item[0], item[1]))
        out: list[tuple[Match, int | None]] = []
        for score, nip, pid, feats, _, _, _ in final[:cfg.max_results]:
            band = "match" if score >= cfg.threshold else "review"
            # Strict: every field is built here with its exact type, so no coercion is tried.
            match = Match.model_validate({"nip": nip, "band": band, "score": round(score, 4),
                                          "explanation": [_explanation(f) for f in feats],
                                          "subject": e._subject_fields(pid), "author_key": self.author_key},
                                         strict=True)
            out.append((match, self.frequencies.get(pid)))
        return out


_NO_KEY = 9


def _key_rank(reasons: Mapping[str, Any]) -> int:
    """Strength of a candidate's exact key: lower decides first; ``_NO_KEY`` when it has none."""
    if "nip" in reasons and reasons["nip"][1] == "profile":
        return 0
    if "handle" in reasons:
        return 1 if reasons["handle"][1] == "same" else 2
    if "nip" in reasons:
        return 3
    return _NO_KEY


def mask(nip: str) -> str:
    """Re-exported for adapters that log results."""
    return mask_nip(nip)


def iter_persons(engine: MatchEngine) -> Iterator[RegistryPerson]:
    for pid in range(engine.size):
        yield engine.person(pid)
