"""What a profile or post says about where and for whom its author works.

A word-boundary Aho-Corasick scan over normalised text finds regions (Kemendagri regencies and
provinces with common short forms), agencies (ministry acronyms and names, ``Pemkab X``,
``Pemprov Jateng``), role words (guru, camat, bidan, puskesmas, SDN ...), self-described gender
(``ibu dari``, ``ayah dari``, ``she/her``) and birth years (``lahir 1985``).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from .reference import CENTRAL_AGENCIES, PROVINCE_ALIASES, ROLE_SYNONYMS, ROLE_WORDS, UNIT_ABBREVIATIONS, regions

# Short regency names that are also everyday words: only recognised with a prefix (Kab./Kota/Pemkab).
AMBIGUOUS_SHORT = {"batu", "buru", "banjar", "pati", "bone", "tegal", "jaya", "agam", "kota", "malang",
                   "sigi", "nias", "karo", "pidie", "muna", "alor", "belu", "lebak", "tanah datar", "asahan",
                   "sarmi", "gowa", "siak", "kampar", "bangli", "kaur", "kendal", "luwu", "maros", "bima",
                   "ende", "sikka", "nabire", "dogiyai", "paniai", "mimika", "merauke", "kepulauan seribu"}
# Every ASCII character but a-z and 0-9 (the text is lower-cased and folded to ASCII first).
_NON_ALNUM_TO_SPACE = str.maketrans({chr(c): " " for c in range(128) if not chr(c).islower() and not chr(c).isdigit()})
_BIRTH = re.compile(r"\b(?:lahir|lhr|kelahiran|born|kelahiran tahun|angkatan lahir)\b[^0-9]{0,25}?(?:\d{1,2}[\s\-/.]+(?:\w+)[\s\-/.]+)?((?:19|20)\d{2})\b")
_TTL = re.compile(r"\bttl\b[^0-9]{0,30}\d{1,2}[\s\-/.]+\w+[\s\-/.]+((?:19|20)\d{2})\b")
# Each with a pattern for the literals it needs, tested first ("kelahiran" contains "lahir").
_BIRTH_PATTERNS = ((_BIRTH, re.compile("lahir|lhr|born")), (_TTL, re.compile("ttl")))
GENDER_PHRASES = {
    "ibu dari": "F", "ibu nya": "F", "istri dari": "F", "bunda dari": "F", "mama dari": "F", "ibu rumah tangga": "F",
    "ibu guru": "F", "bu guru": "F", "ibu bidan": "F", "she her": "F", "emak": "F", "seorang ibu": "F",
    "ayah dari": "M", "suami dari": "M", "papa dari": "M", "bapak dari": "M", "pak guru": "M", "he him": "M",
    "seorang ayah": "M", "abah dari": "M",
}


def normalize_text(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, padded with a space on both sides."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " " + " ".join(text.lower().translate(_NON_ALNUM_TO_SPACE).split()) + " "


@dataclass
class Mentions:
    regencies: set[str] = field(default_factory=set)
    provinces: set[str] = field(default_factory=set)
    agencies: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    units: set[int] = field(default_factory=set)
    gender: str | None = None
    birth_year: int | None = None
    evidence: dict[str, str] = field(default_factory=dict)  # "regency:33.74" -> the words as written

    @property
    def any_place(self) -> bool:
        return bool(self.regencies or self.provinces)


def _add(automaton: ahocorasick.Automaton, phrase: str, value: tuple[str, str]) -> None:
    """Payloads are tuples of strings, which the cyclic GC stops tracking: a list per phrase kept
    hundreds of thousands of objects (one per unit name) in every full collection of the process."""
    key = normalize_text(phrase)
    written = key.strip()
    if len(written) < 2:
        return
    kind, code = value
    entry = (kind, code, f"{kind}:{code}")  # with its evidence key, built once rather than per hit
    existing = automaton.get(key, None)
    if existing is None:
        automaton.add_word(key, (written, (entry,)))
    elif entry not in existing[1]:
        automaton.add_word(key, (written, (*existing[1], entry)))


@lru_cache(maxsize=1)
def base_automaton_entries() -> tuple[tuple[str, tuple[str, str]], ...]:
    reg = regions()
    entries: list[tuple[str, tuple[str, str]]] = []
    for r in reg.regencies.values():
        short = r.short
        short_n = normalize_text(short).strip()
        agency = ("agency", r.agency_code)
        place = ("regency", r.code)
        if r.kind == "KOTA":
            forms = [f"kota {short}", f"kota adm {short}", f"kota administrasi {short}"]
            gov = [f"pemkot {short}", f"pemerintah kota {short}", f"pemerintah {r.name}"]
        else:
            forms = [f"kabupaten {short}", f"kab {short}", f"kab. {short}", f"kabupaten administrasi {short}"]
            gov = [f"pemkab {short}", f"pemerintah kabupaten {short}", f"pemerintah {r.name}"]
        if r.old_name:
            forms.append(r.old_name)
        for form in forms:
            entries.append((form, place))
        if short_n not in AMBIGUOUS_SHORT:
            entries.append((short, ("regency_bare", r.code)))
        for form in gov:
            entries.append((form, place))
            entries.append((form, agency))
    for code, province in reg.provinces.items():
        names = {province.name, *PROVINCE_ALIASES.get(code, ())}
        for name in names:
            entries.append((name, ("province", code)))
            for prefix in ("pemprov", "pemerintah provinsi", "provinsi", "prov"):
                entries.append((f"{prefix} {name}", ("province", code)))
                if prefix in ("pemprov", "pemerintah provinsi"):
                    entries.append((f"{prefix} {name}", ("agency", f"PEMPROV-{code}")))
    for agency in CENTRAL_AGENCIES:
        for alias in {agency.code.lower(), agency.name, *agency.aliases}:
            entries.append((alias, ("agency", agency.code)))
    for word in ROLE_WORDS:
        entries.append((word, ("role", word)))
    for word, canonical in ROLE_SYNONYMS.items():
        entries.append((word, ("role", canonical)))
    for phrase, sex in GENDER_PHRASES.items():
        entries.append((phrase, ("gender", sex)))
    return tuple(entries)


def unit_variants(unit: str) -> list[str]:
    """``SD Negeri 3 Kasihan`` is also written ``SDN 3 Kasihan``; both forms are recognised."""
    base = normalize_text(unit).strip()
    forms = [base] + [normalize_text(a).strip() for a in UNIT_ABBREVIATIONS.get(unit, ())]
    for long, short in (("sd negeri", "sdn"), ("smp negeri", "smpn"), ("sma negeri", "sman"), ("smk negeri", "smkn"),
                        ("puskesmas", "pkm")):
        if base.startswith(long + " "):
            forms.append(short + base[len(long):])
    return forms


class Gazetteer:
    def __init__(self, units: Iterable[str] = ()) -> None:
        automaton = ahocorasick.Automaton()
        for phrase, value in base_automaton_entries():
            _add(automaton, phrase, value)
        for index, unit in enumerate(units):
            if not unit:
                continue
            # Units named like a bare office ("Sekretariat Daerah") say little; still recorded.
            for form in unit_variants(unit):
                if len(form) >= 4:
                    _add(automaton, form, ("unit", str(index)))
        automaton.make_automaton()
        self.automaton = automaton

    def scan(self, text: str | None, mentions: Mentions | None = None) -> Mentions:
        mentions = mentions or Mentions()
        if not text:
            return mentions
        norm = normalize_text(text)
        bare: list[tuple[str, str]] = []
        for _end, (written, values) in self.automaton.iter(norm):
            for kind, value, evidence_key in values:
                if kind == "regency_bare":
                    bare.append((written, value))
                elif kind == "regency":
                    mentions.regencies.add(value)
                    mentions.provinces.add(value.split(".")[0])
                elif kind == "province":
                    mentions.provinces.add(value)
                elif kind == "agency":
                    mentions.agencies.add(value)
                elif kind == "role":
                    mentions.roles.add(value)
                elif kind == "unit":
                    mentions.units.add(int(value))
                elif kind == "gender" and mentions.gender is None:
                    mentions.gender = value
                mentions.evidence.setdefault(evidence_key, written)
        # A bare name ("Bandung") means every regency/city of that name, unless the text also names
        # one of them precisely ("Kota Bandung").
        by_name: dict[str, list[str]] = {}
        for written, code in bare:
            by_name.setdefault(written, []).append(code)
        for written, codes in by_name.items():
            if any(code in mentions.regencies for code in codes):
                continue
            for code in codes:
                mentions.regencies.add(code)
                mentions.provinces.add(code.split(".")[0])
                mentions.evidence.setdefault(f"regency:{code}", written)
        for pattern, hint in _BIRTH_PATTERNS:
            found = pattern.search(norm) if hint.search(norm) else None
            if found and mentions.birth_year is None:
                mentions.birth_year = int(found.group(1))
                mentions.evidence["birth_year"] = found.group(0).strip()
        return mentions


@lru_cache(maxsize=1)
def _role_automaton() -> ahocorasick.Automaton:
    """`` word `` -> the roles it stands for (itself and/or a synonym's canonical role)."""
    roles: dict[str, list[str]] = {}
    for word in ROLE_WORDS:
        roles.setdefault(f" {word} ", []).append(word)
    for synonym, canonical in ROLE_SYNONYMS.items():
        roles.setdefault(f" {synonym} ", []).append(canonical)
    automaton = ahocorasick.Automaton()
    for pattern, found in roles.items():
        automaton.add_word(pattern, tuple(found))
    automaton.make_automaton()
    return automaton


def roles_in(text: str) -> frozenset[str]:
    """Role words present in a registry unit or position (for comparison with ``Mentions.roles``).
    One automaton pass finds every `` word `` a substring test per word would: a lookup meets
    registry units it has not seen before often, and the word-by-word tests were a tenth of it."""
    norm = normalize_text(text)
    found = {role for _end, roles in _role_automaton().iter(norm) for role in roles}
    if " guru " in norm or norm.startswith(" guru"):
        found.add("guru")
    return frozenset(found)
