"""Candidate search (blocking): who in the registry a content item could be about, and why.

Each candidate comes with its reasons: ``nip`` (a valid NIP written in the profile or post),
``handle`` (the author's handle, or one linked in the bio, is registered), ``handle_other`` (the same
username registered on another platform); people found by name blocking have none. Blocking reads the
few buckets whose keys the query holds, never the registry, so a lookup's cost does not grow with it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .builder import _AGENCY, _FULL, _HANDLE, _PAIR, _PART, _REGION, _REGIONAL_PREFIXES, MAX_NAME_TOKENS, _stable_id
from .handles import handle_key
from .query import Query

TOKEN_PROBE_DIVISOR = 4
SCORED_PER_ITEM = 12
NO_KEY = 9
_OTHER_PLATFORMS = ("instagram", "x", "tiktok", "facebook", "youtube")


def candidates(q: Query) -> dict[int, dict[str, Any]]:
    """pid -> reasons: exact keys first, then (when something could pass the rarity gate) name blocking."""
    e = q.engine
    cands: dict[int, dict[str, Any]] = {}
    for info, where in q.nips:
        pid = e.find_nip(info.nip)
        if pid is not None:
            cands.setdefault(pid, {})["nip"] = (info, where)
    if q.handle_key or q.bio_handles:
        _handle_candidates(q, cands)
    if q.name and (q.could_corroborate or not q.name_gated()):
        # Else nobody found by name alone could pass the rarity gate: skip the name blocking.
        _name_candidates(q, cands)
    return cands


def _handle_candidates(q: Query, cands: dict[int, dict[str, Any]]) -> None:
    """People holding the author's handle or one linked in the bio, and (weaker) the author's
    username on another platform."""
    e = q.engine
    handle_keys = ([(q.handle_key, "same")] if q.handle_key else []) + [(k, "bio") for k in q.bio_handles]
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
        if where == "same" and q.platform:
            # The same username on another platform is weak evidence (review at most).
            bare = key.split(":", 1)[1]
            for other in _OTHER_PLATFORMS:
                if other == q.platform:
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


def _name_candidates(q: Query, cands: dict[int, dict[str, Any]]) -> None:
    """People holding the full name, two of its parts, or a part with a named place or agency."""
    e = q.engine
    keys = q.name.keys[:MAX_NAME_TOKENS]
    # Name parts no registry person has cannot be in any key: they give no probes.
    known = {k: e._token_ids[k] for k in keys if k in e._token_ids}
    unique = sorted(set(known.values()))
    probes = [(_FULL, *sorted(map(known.__getitem__, keys)))] if len(known) == len(set(keys)) else []
    token_probes = [(_PART, a) for k, a in known.items() if len(k) >= 3]
    for i, a in enumerate(unique):
        for b in unique[i + 1:]:
            probes.append((_PAIR, a, b))
    places = set(q.profile.regencies) | set(q.content.regencies)
    agencies = {a for a in q.profile.agencies | q.content.agencies if not a.startswith(_REGIONAL_PREFIXES)}
    place_indexes = {e._place_index[p] for p in places | q.profile.provinces | q.content.provinces
                     if p in e._place_index}
    for unit in q.all_units:
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
    added = _take(q, probes, cands, cap)
    if not added:
        # Nobody holds two of the name parts, or a part and a named place or agency (people in
        # the same buckets under other keys do not count): try single rare name parts
        # (nicknames, one name part misspelt), with a tighter cap.
        fallback_cap = max(10, cap // TOKEN_PROBE_DIVISOR)
        _take(q, token_probes, cands, fallback_cap, select=fallback_cap)


def _take(q: Query, probes: list[tuple], cands: dict[int, dict[str, Any]], cap: int,
          select: int = SCORED_PER_ITEM) -> int:
    """Blocking: read the buckets of ``probes`` that hold at most ``cap`` postings (smallest first,
    ``cap`` in all), weigh each person by the evidence of the probes that found them (a full-name
    or two-part key counts 2, a part+place or part+agency key 1) and keep the best ``select``
    for scoring, ties by NIP. Returns how many people holding a probed key it added."""
    e = q.engine
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


def key_rank(reasons: Mapping[str, Any]) -> int:
    """Strength of a candidate's exact key: lower decides first; ``NO_KEY`` when it has none."""
    if "nip" in reasons and reasons["nip"][1] == "profile":
        return 0
    if "handle" in reasons:
        return 1 if reasons["handle"][1] == "same" else 2
    if "nip" in reasons:
        return 3
    return NO_KEY
