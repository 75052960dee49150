"""Scoring as a feature table (``anchors.md`` 2.4, 2.9), after nomenklatura's LogicV2.

Each feature is a small function of the query and one candidate returning its explanation line
``(feature, score, detail, query_value, candidate_value)`` or ``None`` when it has nothing to say; its
score is a weight from ``MatchConfig.weights`` (times a factor), so the score a candidate gets and the
explanation it carries come from the same line. Two paths, the larger one wins:

- identifier path: the largest exact key (``IDENTIFIERS``: NIP, handle), lowered by contradicting
  facts and a display name unlike the registry name;
- name path: ``weights.name`` x similarity plus the qualifiers, which add (corroboration: region,
  agency, unit, role; a unique name) or subtract (another region or agency named, a common name,
  stated sex or birth year against the NIP).

A qualifier that adds is corroboration: it lets a name past the rarity gate. A name alone can reach
at most ``weights.name`` + ``weights.unique_name`` < any valid threshold, so it is never ``match``.

A lookup's cost is about a hundred lines of Python per candidate, so the scorer avoids work rather
than doing it faster: a candidate found by name alone is rejected before its features are built once
it cannot reach ``review``, candidates sharing a name are compared once per query, and a feature the
query holds nothing for (no place named, no sex stated...) is not asked per candidate at all.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from shared.stored import holders_text

from .names import name_similarity as similarity_of
from .names import registry_token_keys
from .query import Query

MIN_NAME_SIMILARITY = 0.6
UNIQUE_NAME_SIMILARITY = 0.95  # a name counts as unique only this close to the registry's
NAME_CONFLICT_BELOW = 0.5  # an exact key's person whose name the author's resembles less than this
NAME_AGREES_FROM = 0.8
BIRTH_YEAR_TOLERANCE = 1  # the NIP's birth year against a stated one (a birthday not yet passed)

Feature = tuple  # (feature, score, detail, query_value, candidate_value): plain, built per candidate


def line(feature: str, score: float, detail: str, query: Any = None, candidate: Any = None) -> Feature:
    """A feature as a plain tuple; turned into explanation fields only for returned results."""
    return (feature, score, detail, query, candidate)


def explanation(item: Feature) -> dict[str, Any]:
    """A feature as ``FeatureExplanation``'s fields: a ``Match`` validated from plain fields in one
    call costs about half of building each nested model first."""
    feature, score, detail, query, candidate = item
    return {"feature": feature, "score": round(score, 4), "detail": detail,
            "query_value": None if query is None else str(query),
            "candidate_value": None if candidate is None else str(candidate)}


# --- identifier features: (scorer, pid, reasons) -------------------------------------------------
def nip_exact(s: Scorer, pid: int, reasons: dict[str, Any]) -> Feature | None:
    """A valid NIP written in the bio or name (``nip_in_profile``) or in the post (``nip_in_content``)."""
    found = reasons.get("nip")
    if found is None:
        return None
    info, where = found
    value = s.weights.nip_in_profile if where == "profile" else s.weights.nip_in_content
    return line("nip_exact", value, f"valid {info.kind.upper()} number written in the {where}", info.formatted,
               s.engine.nip_of(pid))


def handle_exact(s: Scorer, pid: int, reasons: dict[str, Any]) -> Feature | None:
    """The author's handle on its platform (``handle_same_platform``) or a profile linked in the bio
    (``handle_in_bio``) is registered to the person."""
    found = reasons.get("handle")
    if found is None:
        return None
    key, where, stored = found
    if where == "same":
        return line("handle_exact", s.weights.handle_same_platform, "author handle equals a registered handle",
                   key, stored)
    return line("handle_exact", s.weights.handle_in_bio, "profile link in the bio equals a registered handle",
               key, stored)


def handle_other_platform(s: Scorer, pid: int, reasons: dict[str, Any]) -> Feature | None:
    """The same username registered on another platform: weak (``handle_other_platform``, review at most)."""
    found = reasons.get("handle_other")
    if found is None or "handle" in reasons:
        return None
    key, stored = found
    return line("handle_other_platform", s.weights.handle_other_platform,
               "same username registered on another platform", key, stored)


# --- name path: the name itself, then qualifiers: (scorer, pid) ------------------------------------
def name_similarity(s: Scorer, sim: float, c_name: str) -> Feature:
    """``weights.name`` x similarity (less for a name guessed from the handle); reported even when
    too low to count, so a reviewer sees why a key's person was or was not named like the author."""
    q = s.query
    return line("name_similarity", s.name_weight * sim,
               f"name similarity {sim:.2f}" + (" (name taken from the handle)" if q.name_from_handle else ""),
               q.name.normalized, c_name)


def region(s: Scorer, pid: int) -> Feature | None:
    """The person's regency (``regency``), else province (``province``) named adds; a profile naming
    only other regions subtracts (``place_mismatch``). A unit found in one place names its region
    already (``unit``): not counted twice."""
    e, q, w = s.engine, s.query, s.weights
    unit_index = e._unit[pid]
    if e._unit_place[unit_index] and unit_index in q.all_units:
        return None
    province, regency = e._places[e._place[pid]]
    prof = q.profile
    if regency and regency in q.all_regencies:
        in_profile = regency in prof.regencies
        return line("region_corroboration", w.regency * (1.0 if in_profile else w.content_factor),
                   "regency/city named in the " + ("profile" if in_profile else "post"),
                   q.evidence.get(f"regency:{regency}"), regency)
    if province and province in q.all_provinces:
        factor = 1.0 if province in prof.provinces else w.content_factor
        return line("region_corroboration", w.province * factor, "province named",
                   ",".join(sorted(q.all_provinces)), province)
    if prof.any_place:
        return line("region_mismatch", w.place_mismatch, "profile names another region",
                   ",".join(sorted(prof.regencies or prof.provinces)), regency or province)
    return None


def agency(s: Scorer, pid: int) -> Feature | None:
    """The employing agency named adds (``agency``); a profile naming another one subtracts
    (``agency_mismatch``)."""
    e, q, w = s.engine, s.query, s.weights
    code = e._agencies[e._agency[pid]][0]
    if code in q.all_agencies:
        factor = 1.0 if code in q.profile.agencies else w.content_factor
        return line("agency_corroboration", w.agency * factor, "employing agency named",
                   q.evidence.get(f"agency:{code}"), code)
    if q.profile.agencies:
        return line("agency_mismatch", w.agency_mismatch, "profile names another agency",
                   ",".join(sorted(q.profile.agencies)), code)
    return None


def unit(s: Scorer, pid: int) -> Feature | None:
    """The work unit named: ``unit`` when its name is found in one place only, ``generic_unit`` for
    names found everywhere ("Dinas Sosial")."""
    e, q, w = s.engine, s.query, s.weights
    unit_index = e._unit[pid]
    if unit_index not in q.all_units:
        return None
    factor = 1.0 if unit_index in q.profile.units else w.content_factor
    specific = bool(e._unit_place[unit_index])
    return line("unit_corroboration", (w.unit if specific else w.generic_unit) * factor,
               "work unit named" + ("" if specific else " (a unit name used in many places)"),
               q.evidence.get(f"unit:{unit_index}"), e._units[unit_index])


def role(s: Scorer, pid: int) -> Feature | None:
    """A role word of the person's position or unit named (``role``: guru, camat, puskesmas ...)."""
    q = s.query
    roles = q.roles(pid)
    shared = roles & q.all_roles
    if not shared:
        return None
    factor = 1.0 if roles & q.profile.roles else s.weights.content_factor
    e = s.engine
    return line("role_corroboration", s.weights.role * factor, "role or workplace type named",
               ",".join(sorted(shared)), e._positions[e._position[pid]])


def sex(s: Scorer, pid: int) -> Feature:
    """The sex the profile states against the NIP's: agrees (``sex_agrees``) or not (``sex_mismatch``)."""
    stated, registered = s.query.gender, "F" if s.engine._sex[pid] == 2 else "M"
    if stated == registered:
        return line("sex_consistency", s.weights.sex_agrees, "stated sex agrees with the NIP", stated, registered)
    return line("sex_mismatch", s.weights.sex_mismatch, "stated sex contradicts the NIP", stated, registered)


def birth_year(s: Scorer, pid: int) -> Feature:
    """The birth year the profile states against the NIP's (``birth_agrees`` / ``birth_mismatch``)."""
    stated, year = s.query.birth_year, s.engine._births[pid] // 10000
    if abs(stated - year) <= BIRTH_YEAR_TOLERANCE:
        return line("birth_year_consistency", s.weights.birth_agrees, "stated birth year agrees with the NIP",
                   stated, year)
    return line("birth_year_mismatch", s.weights.birth_mismatch, "stated birth year contradicts the NIP",
               stated, year)


def name_commonness(s: Scorer, sim: float, holders: int, corroborated: bool) -> Feature:
    """Term frequency (splink; nomenklatura weighs by rarity): a name one registry person holds adds
    (``unique_name``); one many hold subtracts per doubling (``common_name_per_doubling``, at most
    ``common_name_max``) unless corroborated, when several holders are the ambiguity rule's matter."""
    w = s.weights
    name = s.query.name.normalized if s.query.name else None
    if holders == 1 and sim >= UNIQUE_NAME_SIMILARITY:
        return line("name_commonness", w.unique_name, holders_text(1), name, 1)
    if holders > 1 and not corroborated:
        penalty = min(w.common_name_max, w.common_name_per_doubling * math.log2(holders))
        return line("name_commonness", -penalty, holders_text(holders), name, holders)
    return line("name_commonness", 0.0, holders_text(holders), name, holders)


def name_conflict(s: Scorer, sim: float, reasons: dict[str, Any], c_name: str) -> Feature | None:
    """An exact key whose person is named unlike the author's display name (``name_conflict``); not
    for a name guessed from the handle, nor a NIP quoted in the post (often about someone else)."""
    q = s.query
    if not q.name or q.name_from_handle or sim >= NAME_CONFLICT_BELOW:
        return None
    if "nip" in reasons and reasons["nip"][1] == "content":
        return None
    return line("name_conflict", s.weights.name_conflict, "display name does not resemble the registry name",
               q.name.normalized, c_name)


IdentifierFeature = Callable[["Scorer", int, dict[str, Any]], "Feature | None"]
Qualifier = Callable[["Scorer", int], "Feature | None"]
# The feature table, in explanation order. Each qualifier names the ``Query`` field it compares: when
# the query holds nothing there, the qualifier can find nothing and is not asked per candidate.
IDENTIFIERS: tuple[IdentifierFeature, ...] = (nip_exact, handle_exact, handle_other_platform)
CORROBORATION: tuple[tuple[Qualifier, str], ...] = (
    (region, "all_places"),  # the profile's places are among them
    (agency, "all_agencies"),
    (unit, "all_units"),
    (role, "all_roles"),
)
CONSISTENCY: tuple[tuple[Qualifier, str], ...] = (
    (sex, "gender"),
    (birth_year, "birth_year"),
)


class Scorer:
    """The candidates of one query: its features chosen once, each registry name compared once."""

    __slots__ = ("query", "engine", "weights", "corroboration", "consistency", "similarities", "frequencies",
                 "name_weight", "uncorroborated_floor")

    def __init__(self, q: Query) -> None:
        self.query = q
        self.engine = q.engine
        self.weights = w = q.engine.config.weights
        self.corroboration = [feature for feature, compared in CORROBORATION if getattr(q, compared)]
        self.consistency = [feature for feature, compared in CONSISTENCY if getattr(q, compared)]
        self.similarities: dict[str, float] = {}  # a candidate's normalised name -> name similarity
        self.frequencies: dict[int, int] = {}  # pid -> expected holders of the name (for the review queue)
        self.name_weight = w.name * (w.name_from_handle_factor if q.name_from_handle else 1.0)
        # Below this, ``name_weight x similarity`` plus the most an uncorroborated candidate's name
        # path can add stays under the floor (1e-4 under it: scores are compared rounded to 4 decimals).
        self.uncorroborated_floor = (q.engine.config.review_threshold - 1e-4 - w.unique_name
                                     - (w.sex_agrees if q.gender else 0.0) - (w.birth_agrees if q.birth_year else 0.0))

    def similarity(self, c_name: str) -> float:
        """The query's name against a registry name not compared yet (``similarities`` caches it:
        candidates of one query often share a name)."""
        sim = 0.0
        q = self.query
        if q.name:
            c_tokens = tuple(c_name.split())
            sim = similarity_of(q.name.tokens, q.name.keys, c_tokens,
                                tuple(map(registry_token_keys.__getitem__, c_tokens)))
        self.similarities[c_name] = sim
        return sim

    def score(self, pid: int, reasons: dict[str, Any]) -> tuple[float, list[Feature], bool, bool]:
        """(score, features, found by an exact key, corroborated) of one candidate."""
        q = self.query
        # A candidate found by name alone (no reasons) is rejected before its features are built once
        # it would get nothing: ``corroborated`` is asked only when that depends on it.
        corroboration: bool | None = None
        if not reasons and q.name_too_common(pid):
            corroboration = q.corroborated(pid)
            if not corroboration:
                return 0.0, [], False, False
        e = self.engine
        c_name = e._norm[e._norm_off[pid]:e._norm_off[pid + 1]].decode()  # ``_norm_name``, inlined: hot
        sim = self.similarities.get(c_name)
        if sim is None:
            sim = self.similarity(c_name)
        if not reasons and (sim < MIN_NAME_SIMILARITY or self.name_weight * sim < self.uncorroborated_floor
                            and not (corroboration or q.corroborated(pid))):
            return 0.0, [], False, False  # under the floor even with every bonus left to it uncorroborated
        feats: list[Feature] = []
        id_score = 0.0
        if reasons:
            for feature in IDENTIFIERS:
                found = feature(self, pid, reasons)
                if found is not None:
                    feats.append(found)
                    id_score = max(id_score, found[1])
        has_id = id_score > 0.0
        if not has_id and sim < MIN_NAME_SIMILARITY:
            return 0.0, feats, False, False
        if q.name:
            feats.append(name_similarity(self, sim, c_name))
        name_score = self.name_weight * sim if sim >= MIN_NAME_SIMILARITY else 0.0
        qualifiers = consistency = 0.0
        corroborated = False
        for feature in self.corroboration:
            found = feature(self, pid)
            if found is not None:
                feats.append(found)
                qualifiers += found[1]
                corroborated = corroborated or found[1] > 0.0  # a qualifier that adds corroborates
        for feature in self.consistency:
            found = feature(self, pid)
            feats.append(found)
            consistency += found[1]
        if name_score > 0.0:
            holders = max(e._name_holders[pid], q.query_frequency())
            if not corroborated and "nip" not in reasons and "handle" not in reasons and q.name_too_common(pid):
                name_score = 0.0  # the rarity gate
            else:
                found = name_commonness(self, sim, holders, corroborated)
                feats.append(found)
                qualifiers += found[1]
            self.frequencies[pid] = holders
        name_total = name_score + qualifiers + consistency if name_score > 0.0 else 0.0
        id_total = self._identifier_total(id_score, consistency, sim, reasons, c_name, feats) if has_id else 0.0
        # Rounded as reported: 0.95 - 0.15 must be 0.80, not 0.7999999999999999 (`review`).
        score = round(max(0.0, min(1.0, max(id_total, name_total))), 4)
        return score, feats, has_id, corroborated

    def _identifier_total(self, id_score: float, consistency: float, sim: float, reasons: dict[str, Any],
                          c_name: str, feats: list[Feature]) -> float:
        """An exact key's score: contradictions count against it, agreements do not add (the key
        already says it all) but a name like the registry's does, a little (``name_agrees_with_key``)."""
        total = id_score + min(0.0, consistency)
        conflict = name_conflict(self, sim, reasons, c_name)
        if conflict is not None:
            total += conflict[1]
            feats.append(conflict)
        if sim >= NAME_AGREES_FROM:
            total += self.weights.name_agrees_with_key
        return total
