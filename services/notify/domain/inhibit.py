"""Inhibition: an active *source* alert mutes *target* alerts whose ``equal`` labels agree.

Default rule (config/routes.yaml): an account-level alert (``scope="account"``: the author's
profile itself is partisan) inhibits post-level alerts (``scope="post"``) for the same NIP, so an
agency gets one message about the account instead of one per post. As in Alertmanager, an alert
that matches both sides cannot inhibit itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field

from .matchers import Matcher, MatcherStrings


class InhibitRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    description: str = ""
    source_matchers: MatcherStrings = Field(min_length=1)
    target_matchers: MatcherStrings = Field(min_length=1)
    equal: list[str] = Field(min_length=1)

    def _all(self, which: list[str], labels: Mapping[str, str]) -> bool:
        return all(Matcher.parse(m).matches(labels) for m in which)


@dataclass(frozen=True)
class Inhibition:
    rule: str
    source_alert_id: str


def inhibited_by(
    target: Mapping[str, str],
    active_sources: Iterable[Mapping[str, str]],
    rules: list[InhibitRule],
) -> Inhibition | None:
    """The first (rule, source alert) that inhibits ``target``; ``None`` if it may be sent.

    ``active_sources`` are the label sets of other alerts that are still open (not closed as not
    proven); the caller narrows them (e.g. same NIP) for speed, this function decides.
    """
    sources = list(active_sources)
    for rule in rules:
        if not rule._all(rule.target_matchers, target):
            continue
        for source in sources:
            if source.get("alert_id") and source.get("alert_id") == target.get("alert_id"):
                continue  # never inhibits itself
            if not rule._all(rule.source_matchers, source):
                continue
            if all(source.get(k, "") == target.get(k, "") for k in rule.equal):
                return Inhibition(rule.name, source.get("alert_id", ""))
    return None
