"""Election configuration: contestants, aliases, hashtags, slogans, gestures and campaign accounts.

Elections are data. Each YAML file in ``config/elections/`` describes one election (its races and
contestants); adding a Pilkada race or 2029 is a new file, validated here with pydantic so that
``pantau check-config`` can say which file, which path and why.
"""
from __future__ import annotations

import datetime as dt
import pathlib
import re
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.config_paths import ConfigError

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: start-up of `pantau classify`
DEFAULT_DIR = REPO_ROOT / "config" / "elections"
SCHEMA = "pantau.election/v1"
ID_RE = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
ACCOUNT_RE = re.compile(r"^(x|twitter|instagram|facebook|tiktok|youtube|threads|whatsapp):[A-Za-z0-9_.\-]{1,64}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phrase(_Strict):
    text: str = Field(min_length=1)
    strength: Literal["strong", "weak"] = "strong"


def _phrases(value):
    """Accept a plain string (strong) or {text, strength}."""
    if value is None:
        return []
    return [{"text": v} if isinstance(v, str) else v for v in value]


_EMOJI_MODIFIERS = re.compile("[\ufe0f\u200d\U0001F3FB-\U0001F3FF\\s]")
_EMOJI_UNIT = re.compile("[0-9#*]\u20e3|[\u2190-\u2BFF\U0001F000-\U0001FAFF]")  # as the tokenizer reads emoji


class Gestures(_Strict):
    """Gestures in text, emoji and image labels.

    ``emoji_combos`` are emoji written next to each other that together make one gesture of their own
    (``✌️☝️`` is three fingers, not a two and a one). A combination wins over its parts: the single
    emoji inside it are not read on their own.
    """

    phrases: list[str] = Field(default_factory=list)
    emoji: list[str] = Field(default_factory=list)
    emoji_combos: list[str] = Field(default_factory=list)
    image_labels: list[str] = Field(default_factory=list)

    @field_validator("emoji_combos")
    @classmethod
    def _combos(cls, value: list[str]) -> list[str]:
        for combo in value:
            bare = _EMOJI_MODIFIERS.sub("", combo)
            units = _EMOJI_UNIT.findall(bare)
            if len(units) < 2 or "".join(units) != bare:
                raise ValueError(f"emoji combination {combo!r} must be two or more emoji and nothing else")
        return value


class Contestant(_Strict):
    id: str = Field(pattern=ID_RE)
    race: str
    ballot_number: int | None = Field(default=None, ge=1, le=99)
    name: str = Field(min_length=1)
    names: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)
    acronyms: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    oppose_hashtags: list[str] = Field(default_factory=list)
    slogans: list[Phrase] = Field(default_factory=list)
    oppose_phrases: list[Phrase] = Field(default_factory=list)
    gestures: Gestures = Field(default_factory=Gestures)
    accounts: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)

    _norm_slogans = field_validator("slogans", "oppose_phrases", mode="before")(_phrases)

    @field_validator("names", "ambiguous")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip().lower() for v in value if v.strip()))

    @field_validator("hashtags", "oppose_hashtags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        out = []
        for tag in value:
            tag = tag.strip().lstrip("#").lower()
            if not re.fullmatch(r"[a-z0-9_]+", tag):
                raise ValueError(f"hashtag {tag!r} must be letters, digits or _ only")
            out.append(tag)
        return list(dict.fromkeys(out))

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        for acc in value:
            if not ACCOUNT_RE.match(acc):
                raise ValueError(f"account {acc!r} must look like platform:handle (e.g. instagram:prabowo)")
        return value

    @model_validator(mode="after")
    def _has_alias(self) -> "Contestant":
        if not (self.names or self.acronyms or self.hashtags or self.accounts):
            raise ValueError("a contestant needs at least one of names, acronyms, hashtags, accounts")
        return self


class Race(_Strict):
    id: str = Field(pattern=ID_RE)
    name: str
    office: str = ""
    numbers_default: bool = False
    context_terms: list[str] = Field(default_factory=list)


class Period(_Strict):
    start: dt.date
    end: dt.date


class ElectionInfo(_Strict):
    id: str = Field(pattern=ID_RE)
    name: str
    vote_date: dt.date | None = None
    campaign: Period | None = None
    active: bool = True
    context_terms: list[str] = Field(default_factory=list)


class Window(_Strict):
    """Bounded cost per record: each field is classified on its first ``head_chars`` and last
    ``tail_chars`` characters only (the full text is still stored as evidence upstream), and at most
    ``max_media`` media items are read. A 200 KB spam wall then costs what a long post costs."""

    head_chars: int = Field(default=6000, ge=200, le=200_000)
    tail_chars: int = Field(default=2000, ge=0, le=200_000)
    max_media: int = Field(default=16, ge=1, le=1000)
    max_total_chars: int = Field(default=24_000, ge=1000, le=2_000_000)  # over all fields of one record, in order
    # The trained component: "target" reads every contestant a record names with the target-aware model
    # (domain/target_model.py) and combines it with the rules (see ``Decision``); "grey_zone" is the older
    # record-level lexical model deciding only where the rules hesitate; "off" is rules alone.
    model: Literal["off", "grey_zone", "target"] = "off"
    decision: "Decision" = Field(default_factory=lambda: Decision())


class Decision(_Strict):
    """How the target model and the rules decide together, per contestant (chosen on the real dev half).

    A contestant is taken when the model's probability that the author takes a side on it reaches
    ``p_partisan``, or when the rules are sure of it (score at least ``rule_sure``) and the model does not
    rule it out (probability at least ``p_floor``)."""

    # rules at least this sure, on the poster's own campaign hashtag, slogan or account, take a contestant
    # without asking the model: the same decisions on the real dev half and our test split, less time
    rule_certain: float = Field(default=0.95, gt=0, le=1)
    p_partisan: float = Field(default=0.5, gt=0, lt=1)
    rule_sure: float = Field(default=0.85, gt=0, le=1)
    p_floor: float = Field(default=0.15, ge=0, lt=1)
    # A contestant only @-tagged (the chain a reply opens with, or a tag) or shown only by a sign that is also
    # everyday (✌️): the author's own words do not name them, so what the author says is read as aimed at the
    # replied-to user or the thread (the annotation guide's reply rule); the model's probability and the
    # rules' score are scaled by this.
    tag_only: float = Field(default=0.5, ge=0, le=1)


class ElectionFile(_Strict):
    schema_: Literal["pantau.election/v1"] = Field(alias="schema")
    election: ElectionInfo
    classification: Window = Field(default_factory=Window)
    races: list[Race] = Field(min_length=1)
    contestants: list[Contestant] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _consistent(self) -> "ElectionFile":
        race_ids = [r.id for r in self.races]
        if len(set(race_ids)) != len(race_ids):
            raise ValueError(f"duplicate race id in {race_ids}")
        seen_numbers: dict[tuple[str, int], str] = {}
        for c in self.contestants:
            if c.race not in race_ids:
                raise ValueError(f"contestant {c.id}: race {c.race!r} is not one of {race_ids}")
            if c.ballot_number is not None:
                key = (c.race, c.ballot_number)
                if key in seen_numbers:
                    raise ValueError(f"contestant {c.id}: ballot number {c.ballot_number} already used by {seen_numbers[key]}")
                seen_numbers[key] = c.id
        if sum(r.numbers_default for r in self.races) > 1:
            raise ValueError("at most one race per election may set numbers_default")
        combo_owner: dict[str, str] = {}
        for c in self.contestants:
            for combo in c.gestures.emoji_combos:
                key = _EMOJI_MODIFIERS.sub("", combo)
                if key in combo_owner and combo_owner[key] != c.id:
                    raise ValueError(f"contestant {c.id}: emoji combination {combo!r} already used by {combo_owner[key]}")
                combo_owner[key] = c.id
        return self


class ElectionConfig(BaseModel):
    """All loaded elections, checked together (ids unique across files, party references exist)."""

    model_config = ConfigDict(frozen=True)
    files: list[tuple[str, ElectionFile]]

    @property
    def elections(self) -> list[ElectionFile]:
        return [f for _, f in self.files]

    def contestants(self) -> list[tuple[ElectionFile, Race, Contestant]]:
        out = []
        for ef in self.elections:
            races = {r.id: r for r in ef.races}
            out.extend((ef, races[c.race], c) for c in ef.contestants)
        return out

    @property
    def window(self) -> Window:
        """The strictest window of the loaded files (one classifier serves them all)."""
        windows = [ef.classification for ef in self.elections] or [Window()]
        return Window(head_chars=min(w.head_chars for w in windows), tail_chars=min(w.tail_chars for w in windows),
                      max_media=min(w.max_media for w in windows),
                      max_total_chars=min(w.max_total_chars for w in windows),
                      model=next((m for m in ("target", "grey_zone") if any(w.model == m for w in windows)), "off"),
                      decision=next((w.decision for w in windows if w.model == "target"), Decision()))

    @property
    def version(self) -> str:
        return "+".join(sorted(ef.election.id for ef in self.elections))


def _format_validation(path: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top)"
        out.append(f"{path}: {loc}: {err['msg']}")
    return out


def _load_file(path: pathlib.Path) -> ElectionFile:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ConfigError([f"{path}: top level must be a mapping with schema, election, races, contestants"])
    try:
        return ElectionFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation(str(path), exc)) from exc


def load_elections(paths: str | pathlib.Path | list | None = None, include_inactive: bool = False) -> ElectionConfig:
    """Load election files. A directory loads its active ``*.yaml``; files named explicitly always load."""
    if paths is None:  # the one configuration surface (PANTAU_CONFIG_DIR / PANTAU_ELECTIONS)
        from shared.config_paths import config_paths

        paths = [config_paths().elections]
    if isinstance(paths, (str, pathlib.Path)):
        paths = [paths]
    files: list[tuple[str, ElectionFile]] = []
    problems: list[str] = []
    for entry in paths:
        entry = pathlib.Path(entry)
        explicit = entry.is_file()
        candidates = [entry] if explicit else sorted(entry.glob("*.yaml")) + sorted(entry.glob("*.yml"))
        if not candidates:
            problems.append(f"{entry}: no election YAML files found")
        for path in candidates:
            try:
                ef = _load_file(path)
            except ConfigError as exc:
                problems.extend(exc.problems)
                continue
            if ef.election.active or explicit or include_inactive:
                files.append((str(path), ef))
    problems.extend(_cross_check(files))
    if problems:
        raise ConfigError(problems)
    return ElectionConfig(files=files)


def _cross_check(files: list[tuple[str, ElectionFile]]) -> list[str]:
    problems = []
    owner: dict[str, str] = {}
    for path, ef in files:
        for kind, ids in (("election", [ef.election.id]), ("race", [r.id for r in ef.races]),
                          ("contestant", [c.id for c in ef.contestants])):
            for ident in ids:
                key = f"{kind}:{ident}"
                if key in owner:
                    problems.append(f"{path}: {kind} id {ident!r} is already defined in {owner[key]}")
                owner[key] = path
    all_ids = {c.id for _, ef in files for c in ef.contestants}
    for path, ef in files:
        for i, c in enumerate(ef.contestants):
            for party in c.parties:
                if party not in all_ids:
                    problems.append(f"{path}: contestants.{i}.parties: {party!r} is not a loaded contestant")
    return problems
