"""Putting the pieces together for one case event: labels, the routes that fire, the delivery
targets per route, whether a route allows automatic forwarding, the sanction info and the
Indonesian summary. Pure: used by the dispatcher and by ``pantau routes test``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from shared.schemas import Alert

from .config import NotifyConfig
from .labels import alert_labels, with_event
from .recipients import Target, Unresolved, resolve_targets
from .routing import RouteMatch, group_id
from .severity import SanctionInfo
from .summary import alert_summary


@dataclass(frozen=True)
class PlannedDelivery:
    match: RouteMatch
    group_key: str
    group_id: str  # safe to log
    group_labels: Mapping[str, str]
    target: Target | Unresolved

    @property
    def integration(self) -> str:
        return self.target.integration


@dataclass(frozen=True)
class EventPlan:
    event: str
    labels: Mapping[str, str]
    matches: tuple[RouteMatch, ...]
    deliveries: tuple[PlannedDelivery, ...]
    auto_forward_route: RouteMatch | None  # only meaningful for event="suspected"


def plan_for_labels(config: NotifyConfig, labels: Mapping[str, str]) -> EventPlan:
    matches = tuple(config.match(labels))
    deliveries: list[PlannedDelivery] = []
    for m in matches:
        receiver = config.receivers[m.receiver]
        key = m.group_key(labels)
        glabels = m.group_labels(labels)
        for target in resolve_targets(receiver, labels, config.directory):
            deliveries.append(PlannedDelivery(m, key, group_id(target.integration, key), glabels, target))
    auto = None
    if labels.get("event") == "suspected":
        for m in config.match(with_event(labels, "forwarded")):
            if m.route.auto_forward:
                auto = m
                break
    return EventPlan(labels.get("event", ""), dict(labels), matches, tuple(deliveries), auto)


def plan_event(config: NotifyConfig, alert: Alert, event: str) -> EventPlan:
    return plan_for_labels(config, alert_labels(alert, config.directory, config.sanctions, event))


def sanction_for(config: NotifyConfig, alert: Alert) -> SanctionInfo:
    return config.sanctions.for_form(alert.classification.form)


def summary_for(config: NotifyConfig, alert: Alert, event: str) -> str:
    return alert_summary(alert, sanction_for(config, alert), config.contestant_names, event)
