"""The matcher's configuration: ``config/match.yaml`` as ``MatchConfig``, feature weights included.

The weights of the scoring features (``scoring.py``) are configuration, not code, so a deployment can
tune one without a release; their defaults are the values ``anchors.md`` 2.4 and 2.9 fix, and every
result is the same as long as the file does not name them. ``pantau check-config`` validates the file
through ``load_config``, the loader the services use.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

ALGORITHM = "pantau-match"
ALGORITHM_VERSION = "1"
REVIEW_MARGIN = 0.30
DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / "config" / "match.yaml"


class FeatureWeights(BaseModel):
    """One weight per scoring feature (``match.yaml``: ``weights:``). Signs are fixed: ``scoring``
    counts a candidate as corroborated exactly when a qualifier adds to its score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Identifier path: the score of an exact key (the largest one found).
    nip_in_profile: float = Field(0.99, gt=0.0, le=1.0)
    nip_in_content: float = Field(0.92, gt=0.0, le=1.0)
    handle_same_platform: float = Field(0.95, gt=0.0, le=1.0)
    handle_in_bio: float = Field(0.90, gt=0.0, le=1.0)
    handle_other_platform: float = Field(0.45, gt=0.0, le=1.0)
    name_conflict: float = Field(-0.15, ge=-1.0, lt=0.0)  # the author's name does not resemble the key's person
    name_agrees_with_key: float = Field(0.02, ge=0.0, le=0.1)  # a key whose registry name the author's resembles
    # Name path: ``name x similarity``, then the qualifiers.
    name: float = Field(0.60, gt=0.0, le=1.0)
    name_from_handle_factor: float = Field(0.85, gt=0.0, le=1.0)  # a name guessed from the handle is weaker
    unique_name: float = Field(0.03, ge=0.0, le=0.1)
    common_name_per_doubling: float = Field(0.06, ge=0.0, le=0.5)  # per doubling of the name's holders
    common_name_max: float = Field(0.25, ge=0.0, le=1.0)
    regency: float = Field(0.15, gt=0.0, le=1.0)
    province: float = Field(0.06, gt=0.0, le=1.0)
    place_mismatch: float = Field(-0.12, ge=-1.0, lt=0.0)
    agency: float = Field(0.15, gt=0.0, le=1.0)
    agency_mismatch: float = Field(-0.08, ge=-1.0, lt=0.0)
    unit: float = Field(0.20, gt=0.0, le=1.0)  # a unit name found in one place only (implies the region too)
    generic_unit: float = Field(0.08, gt=0.0, le=1.0)  # "Dinas Sosial", "Sekretariat Daerah": everywhere
    role: float = Field(0.06, gt=0.0, le=1.0)
    content_factor: float = Field(0.6, gt=0.0, le=1.0)  # corroboration found only in the post, not the profile
    # Consistency with what the profile states (sex, birth year) against the NIP.
    sex_agrees: float = Field(0.02, ge=0.0, le=0.1)
    sex_mismatch: float = Field(-0.25, ge=-1.0, lt=0.0)
    birth_agrees: float = Field(0.05, ge=0.0, le=0.1)
    birth_mismatch: float = Field(-0.25, ge=-1.0, lt=0.0)
    # Ranking: name-only candidates this close to the best one are ambiguous.
    ambiguity_gap: float = Field(0.05, ge=0.0, le=0.3)

    def name_alone_ceiling(self) -> float:
        """The most a name can score with nothing that corroborates who wrote it."""
        return self.name + self.unique_name + self.sex_agrees + self.birth_agrees


DEFAULT_WEIGHTS = FeatureWeights()


class MatchConfig(BaseModel):
    """``config/match.yaml``. ``threshold`` is the one knob; the review cut-off follows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    threshold: float = Field(0.80, ge=DEFAULT_WEIGHTS.name_alone_ceiling() + 0.01, le=0.99)
    max_results: int = Field(5, ge=1, le=50)
    candidate_cap: int = Field(200, ge=10, le=5000)
    # Rarity (term-frequency) gate: a candidate found by name alone (no NIP, no handle, nothing in the
    # post or profile corroborating it) is kept only when the query is at least two name parts and at
    # most this many registry people are expected to hold the name ("nama ini dimiliki ±N ASN").
    rare_name_max_holders: int = Field(3, ge=1, le=1000)
    # Re-screening: when a new registry version becomes active, partisan content of the last
    # ``rescreen_days`` days is matched again against it (people or handles added are found).
    rescreen_days: int = Field(30, ge=0, le=3650)
    weights: FeatureWeights = DEFAULT_WEIGHTS

    @model_validator(mode="after")
    def _name_alone_is_never_match(self) -> MatchConfig:
        """A name alone (its weight, the unique-name bonus, and the profile merely agreeing with the NIP on sex
        and birth year: none of them says who) must stay under the threshold."""
        ceiling = self.weights.name_alone_ceiling()
        if self.threshold < ceiling + 0.01:
            raise ValueError(f"threshold {self.threshold} must be at least weights.name + unique_name + sex_agrees"
                             f" + birth_agrees + 0.01 = {ceiling + 0.01:.2f}: a name alone must never be `match`")
        return self

    @cached_property  # read by every lookup
    def review_threshold(self) -> float:
        return round(self.threshold - REVIEW_MARGIN, 4)


def load_config(path: str | Path | None = None) -> MatchConfig:
    """``path``, else the configuration surface (``$PANTAU_MATCH_CONFIG``, else
    ``$PANTAU_CONFIG_DIR/match.yaml``, else the packaged ``match.yaml``). A missing file is an error."""
    from shared.config_paths import config_paths

    chosen = path or config_paths().match
    data = yaml.safe_load(Path(chosen).read_text(encoding="utf-8")) or {}
    return MatchConfig.model_validate(data)
