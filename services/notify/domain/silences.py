"""Silences: time-boxed, matcher-based mutes with an author and a comment (Alertmanager style).

Silences are evaluated per delivery target on the alert's labels plus ``receiver`` (receiver name)
and ``recipient`` (directory code of the addressee). A silenced notification is not sent while the silence is active; the case itself is untouched
(it stays in the API and in the review queue). When the silence expires, items still pending are
delivered — nothing is lost, it is only held back.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Mapping

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from .matchers import Matcher, MatcherStrings


class Silence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = ""
    matchers: MatcherStrings = Field(min_length=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    created_by: str = Field(min_length=1, max_length=200)
    comment: str = Field(min_length=3, max_length=2000)
    # Set when an agency created it. Such a silence only mutes messages *addressed to that agency*
    # (label ``recipient``); it can never hide its own staff's cases from BKN or Bawaslu.
    agency_code: str | None = None

    @model_validator(mode="after")
    def _window(self) -> "Silence":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if not self.id:
            basis = "|".join([*sorted(self.matchers), self.starts_at.isoformat(), self.created_by])
            object.__setattr__(self, "id", "si_" + hashlib.sha256(basis.encode()).hexdigest()[:20])
        return self

    def compiled(self) -> tuple[Matcher, ...]:
        return tuple(Matcher.parse(m) for m in self.matchers)

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def mutes(self, labels: Mapping[str, str], now: datetime) -> bool:
        if not self.active(now):
            return False
        if self.agency_code is not None and labels.get("recipient") != self.agency_code:
            return False
        return all(m.matches(labels) for m in self.compiled())


def validate_new_silence(silence: Silence, now: datetime, max_duration: timedelta) -> None:
    """Rules for creating one (API/CLI): not already over, bounded duration."""
    if silence.ends_at <= now:
        raise ValueError("the silence would already be over")
    if silence.ends_at - silence.starts_at > max_duration:
        raise ValueError(f"a silence may last at most {max_duration}")


def silenced_by(labels: Mapping[str, str], silences: list[Silence], now: datetime) -> list[str]:
    """Ids of the active silences that mute this label set (empty = not silenced)."""
    return [s.id for s in silences if s.mutes(labels, now)]
