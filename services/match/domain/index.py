"""The registry index a lookup reads: columns, the blocking-key table and the counts scoring weighs by.

Blocking keys are hashed into a power-of-two table stored CSR-style (``offsets`` + ``postings``
arrays); a bucket may hold unrelated people whose keys collide, so every posting carries 16 more bits
of its key's hash (``tags``) and reads skip the other keys' postings. What a lookup would otherwise
count again and again is counted with the index: per person, how many people share its full name
(the term frequency of its name evidence), per name part how many hold it, per unit and position
its role words. Memory at national scale (~4.8 M people) is in ``builder.py``'s compact columns.
"""
from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Self

import numpy as np

from shared.schemas import RegistryPerson, Subject

from .builder import _NIP, _PART, PARALLEL_MIN_BYTES, _birth_int, _Builder, _build_range, _index_rows
from .config import MatchConfig, load_config
from .gazetteer import Gazetteer, roles_in
from .registry_csv import FileRange, RawRow, RowError, split_ranges


def _as_array(typecode: str, values: np.ndarray) -> array:
    out = array(typecode)
    out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
    return out


def _roles_of(texts: list[str]) -> list[frozenset[str]]:
    """``roles_in`` of each text; equal answers share one set (most units name no role, or one)."""
    shared: dict[frozenset[str], frozenset[str]] = {}
    return [shared.setdefault(roles, roles) for roles in map(roles_in, texts)]


class RegistryIndex:
    """Immutable once built, so lookups may read it from several threads at once."""

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
              config: MatchConfig | None = None) -> Self:
        builder = _Builder()
        for p in persons:
            builder.add(p.nip, p.name, p.birth_date.isoformat(), p.gender, p.agency_code, p.agency_name, p.unit,
                        p.position, p.province_code, p.regency_code, ((h.platform, h.handle) for h in p.handles))
        return cls(builder, registry_version, config)

    @classmethod
    def from_documents(cls, documents: Iterable[Mapping[str, Any]], registry_version: str,
                       config: MatchConfig | None = None) -> Self:
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
                  config: MatchConfig | None = None) -> Self:
        """Fast path: validated ``RawRow``s (errors are skipped and counted) or plain CSV-order tuples."""
        builder = _Builder()
        builder.add_many(_index_rows(rows, builder))
        return cls(builder, registry_version, config)

    @classmethod
    def from_csv(cls, path: str | Path, registry_version: str | None = None, config: MatchConfig | None = None,
                 validate: bool = True, workers: int | None = None) -> Self:
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
