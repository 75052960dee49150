"""What one content item says about its author, read once per lookup: the query of the matcher.

Candidate search (``candidates.py``) and scoring (``scoring.py``) both read it; the name's expected
number of registry holders and the rarity gate are computed here, once, for both.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from shared.schemas import ContentRecord

from .builder import _FULL, MAX_NAME_TOKENS
from .handles import extract_profile_handles, handle_key, normalize_platform
from .names import parse_name
from .nip import NipInfo, extract_nips

if TYPE_CHECKING:
    from .index import RegistryIndex


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


class Query:
    """One content item against the index."""

    def __init__(self, engine: RegistryIndex, record: ContentRecord) -> None:
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
        self.author_key = author_key(record)
        self.evidence = self.content.evidence | self.profile.evidence
        self.all_regencies = self.profile.regencies | self.content.regencies
        self.all_provinces = self.profile.provinces | self.content.provinces
        self.all_agencies = self.profile.agencies | self.content.agencies
        self.all_roles = self.profile.roles | self.content.roles
        self.all_units = self.profile.units | self.content.units
        self.all_places = self.all_regencies | self.all_provinces  # "33" and "33.74" never collide
        self._query_frequency: int | None = None
        self._name_gated: bool | None = None
        # One informative name part (initials do not count): never enough on its own.
        self.single_token = not self.name or len({k for k in self.name.keys if len(k) >= 2}) < 2
        # Anything in the profile or post that could corroborate a candidate (see ``scoring``).
        self.could_corroborate = bool(self.all_places or self.all_agencies or self.all_roles or self.all_units)

    def roles(self, pid: int) -> frozenset[str]:
        """Role words of the candidate's position and unit."""
        e = self.engine
        return e._position_roles[e._position[pid]] | e._unit_roles[e._unit[pid]]

    def corroborated(self, pid: int) -> bool:
        """Whether the post or profile names this person's unit, region, agency or role: what the
        scoring's corroboration features find, without building them."""
        e = self.engine
        if e._unit[pid] in self.all_units:
            return True
        province, regency = e._places[e._place[pid]]
        places = self.all_places
        if regency in places or province in places or e._agencies[e._agency[pid]][0] in self.all_agencies:
            return True
        return bool(self.all_roles) and not self.roles(pid).isdisjoint(self.all_roles)

    def name_too_common(self, pid: int) -> bool:
        """The rarity gate: a first name alone, or a name that more than ``rare_name_max_holders``
        registry people hold (the query's expected holders or this candidate's), says nothing about
        who the author is; without corroboration or an exact key it gives no name score."""
        return self.name_gated() or self.engine._name_holders[pid] > self.engine.config.rare_name_max_holders

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

