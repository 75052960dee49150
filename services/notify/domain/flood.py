"""Flood limits: at most ``max_items`` notified items per key (e.g. per receiver and agency) per
sliding ``window``. Items over the limit are *deferred*, not dropped: they stay pending and go out
when the window has room, and the dispatcher records a ``flood_limited`` event for operators.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from .durations import Duration
from .matchers import Matcher, MatcherStrings

T = TypeVar("T")


class FloodLimit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    matchers: MatcherStrings = Field(default_factory=list)  # empty = applies to every item
    per: list[str] = Field(min_length=1)  # label names forming the key, e.g. [receiver, agency]
    max_items: int = Field(ge=1)
    window: Duration

    def applies(self, labels: Mapping[str, str]) -> bool:
        return all(Matcher.parse(m).matches(labels) for m in self.matchers)

    def key(self, labels: Mapping[str, str]) -> str:
        return self.name + ":" + ",".join(f"{k}={labels.get(k, '')}" for k in self.per)


@dataclass
class FloodDecision:
    allowed: list = field(default_factory=list)
    deferred: list = field(default_factory=list)  # (item, limit name, flood key)
    counts: dict[str, int] = field(default_factory=dict)  # counts after this decision


def apply_flood_limits(
    items: Sequence[tuple[T, Mapping[str, str]]],
    limits: Sequence[FloodLimit],
    recent_counts: Mapping[str, int],
) -> FloodDecision:
    """Split ``items`` (in delivery order) into allowed and deferred.

    ``recent_counts[key]`` is how many items were notified under that flood key inside the
    limit's window before now (the caller counts them from the notification log).
    """
    decision = FloodDecision(counts=dict(recent_counts))
    for item, labels in items:
        blocked: tuple[str, str] | None = None
        keys = []
        for limit in limits:
            if not limit.applies(labels):
                continue
            key = limit.key(labels)
            keys.append(key)
            if decision.counts.get(key, 0) >= limit.max_items:
                blocked = (limit.name, key)
                break
        if blocked:
            decision.deferred.append((item, blocked[0], blocked[1]))
            continue
        for key in keys:
            decision.counts[key] = decision.counts.get(key, 0) + 1
        decision.allowed.append(item)
    return decision
