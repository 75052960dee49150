"""Alertmanager-style routing tree, loaded from ``config/routes.yaml``.

Semantics (Alertmanager ``dispatch/route.go``):
- the root route matches everything and must name a receiver;
- children are tried in order; the first matching child wins unless it has ``continue: true``,
  in which case later siblings are tried as well;
- a route with no matching child is itself the match;
- children inherit ``receiver``, ``group_by``, the three timers and ``auto_forward``.

``auto_forward`` (default false): a route matched on ``event="forwarded"`` normally delivers only
after an analyst has verified the case. If any such route has ``auto_forward: true`` the case is
forwarded at once, without waiting for human verification (recorded as a system transition).
"""
from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .durations import Duration
from .matchers import Matcher, MatcherStrings, parse_matchers

GROUP_BY_ALL = "..."


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def template_fields(template: str) -> set[str]:
    """``"BAWASLU-{province}"`` -> {"province"}."""
    out = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            out.add(name.split(".")[0].split("[")[0])
    return out


def render(template: str, labels: Mapping[str, str]) -> str:
    fields = template_fields(template)
    return template.format_map({f: labels.get(f, "") for f in fields})


# ---------------------------------------------------------------- receivers
class WebhookIntegration(_Strict):
    # Either ``to`` (a directory code template, contact taken from agencies.yaml) or ``url``.
    to: str | None = None
    url: str | None = None
    secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    timeout: Duration = timedelta(seconds=10)
    max_items: int = Field(default=50, ge=1, le=1000)

    @model_validator(mode="after")
    def _one_target(self) -> "WebhookIntegration":
        if bool(self.to) == bool(self.url):
            raise ValueError("a webhook needs exactly one of 'to' (directory code) or 'url'")
        return self


class EmailIntegration(_Strict):
    to: str | None = None  # directory code template
    addresses: list[str] = Field(default_factory=list)  # explicit addresses (may be templated)
    max_items: int = Field(default=50, ge=1, le=1000)

    @model_validator(mode="after")
    def _one_target(self) -> "EmailIntegration":
        if not self.to and not self.addresses:
            raise ValueError("an e-mail integration needs 'to' (directory code) or 'addresses'")
        return self


class KafkaIntegration(_Strict):
    topic: str = Field(pattern=r"^[A-Za-z0-9._\-]+$")
    key: str = "{agency}"
    max_items: int = Field(default=200, ge=1, le=10000)


class Receiver(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    description: str = ""
    fallback_to: str | None = None  # directory code template used when ``to`` does not resolve
    webhook: list[WebhookIntegration] = Field(default_factory=list)
    email: list[EmailIntegration] = Field(default_factory=list)
    kafka: list[KafkaIntegration] = Field(default_factory=list)

    def integrations(self) -> list[tuple[str, WebhookIntegration | EmailIntegration | KafkaIntegration]]:
        """``[("employing-agency/webhook0", cfg), ...]`` — each is retried and logged separately."""
        out: list[tuple[str, WebhookIntegration | EmailIntegration | KafkaIntegration]] = []
        for kind, items in (("webhook", self.webhook), ("email", self.email), ("kafka", self.kafka)):
            for i, item in enumerate(items):
                out.append((f"{self.name}/{kind}{i}", item))
        return out

    def template_fields(self) -> set[str]:
        out: set[str] = set()
        for _, cfg in self.integrations():
            for value in (
                getattr(cfg, "to", None),
                getattr(cfg, "url", None),
                getattr(cfg, "key", None),
                *getattr(cfg, "addresses", []),
            ):
                if value:
                    out |= template_fields(value)
        if self.fallback_to:
            out |= template_fields(self.fallback_to)
        return out


# ---------------------------------------------------------------- routes
class RouteSpec(_Strict):
    name: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    description: str = ""
    receiver: str | None = None
    matchers: MatcherStrings = Field(default_factory=list)
    continue_: bool = Field(default=False, alias="continue")
    group_by: list[str] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None  # absent or "0s" = never re-send an unchanged group
    auto_forward: bool | None = None
    routes: list["RouteSpec"] = Field(default_factory=list)


@dataclass(frozen=True)
class Route:
    """A route with inherited settings resolved."""

    id: str  # position in the tree: "root", "root.0", "root.0.2"
    name: str
    receiver: str
    matchers: tuple[Matcher, ...]
    continue_: bool
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta | None
    auto_forward: bool
    description: str = ""
    children: tuple["Route", ...] = field(default_factory=tuple)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class RouteMatch:
    """One route that fired for a label set, and why."""

    route: Route
    path: tuple[str, ...]  # route names from the root
    reasons: tuple[str, ...]  # every matcher on the path with the label value it saw

    @property
    def receiver(self) -> str:
        return self.route.receiver

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        if GROUP_BY_ALL in self.route.group_by:
            return dict(sorted(labels.items()))
        return {k: labels.get(k, "") for k in self.route.group_by}

    def group_key(self, labels: Mapping[str, str]) -> str:
        """Stable key of the aggregation group (Alertmanager ``{route}:{labels}`` form)."""
        parts = ",".join(f'{k}="{v}"' for k, v in self.group_labels(labels).items())
        return f"{self.route.name}:{{{parts}}}"

    def explain(self) -> dict:
        return {
            "route": self.route.name,
            "route_id": self.route.id,
            "path": list(self.path),
            "receiver": self.route.receiver,
            "matched": list(self.reasons),
            "group_by": list(self.route.group_by),
            "group_wait": self.route.group_wait.total_seconds(),
            "group_interval": self.route.group_interval.total_seconds(),
            "repeat_interval": (
                self.route.repeat_interval.total_seconds() if self.route.repeat_interval else None
            ),
            "auto_forward": self.route.auto_forward,
        }


def group_id(receiver: str, group_key: str) -> str:
    """Short opaque id of (receiver, group key): safe to log (the key may contain a NIP)."""
    return "gr_" + hashlib.sha256(f"{receiver}\x1f{group_key}".encode()).hexdigest()[:24]


def build_tree(spec: RouteSpec) -> Route:
    if spec.matchers:
        raise ValueError("the root route must not have matchers: it matches every alert")
    if spec.continue_:
        raise ValueError("the root route cannot have 'continue'")
    if not spec.receiver:
        raise ValueError("the root route must name a receiver")

    def build(node: RouteSpec, parent: Route | None, route_id: str) -> Route:
        name = node.name or (route_id if parent else "root")
        base = Route(
            id=route_id,
            name=name,
            receiver=node.receiver or (parent.receiver if parent else ""),
            matchers=parse_matchers(node.matchers),
            continue_=node.continue_,
            group_by=tuple(node.group_by) if node.group_by is not None else (
                parent.group_by if parent else ("agency",)
            ),
            group_wait=node.group_wait if node.group_wait is not None else (
                parent.group_wait if parent else timedelta(seconds=30)
            ),
            group_interval=node.group_interval if node.group_interval is not None else (
                parent.group_interval if parent else timedelta(minutes=5)
            ),
            repeat_interval=(
                (node.repeat_interval or None) if node.repeat_interval is not None else (
                    parent.repeat_interval if parent else None
                )
            ),
            auto_forward=node.auto_forward if node.auto_forward is not None else (
                parent.auto_forward if parent else False
            ),
            description=node.description,
        )
        children = tuple(
            build(child, base, f"{route_id}.{i}") for i, child in enumerate(node.routes)
        )
        return Route(**{**base.__dict__, "children": children})

    return build(spec, None, "root")


def match_routes(root: Route, labels: Mapping[str, str]) -> list[RouteMatch]:
    """All routes that fire for ``labels``, in tree order, each with the matchers that matched."""

    def visit(route: Route, path: tuple[str, ...], reasons: tuple[str, ...]) -> list[RouteMatch]:
        if not all(m.matches(labels) for m in route.matchers):
            return []
        here_path = path + (route.name,)
        here_reasons = reasons + tuple(m.explain(labels) for m in route.matchers)
        found: list[RouteMatch] = []
        for child in route.children:
            sub = visit(child, here_path, here_reasons)
            if sub:
                found.extend(sub)
                if not child.continue_:
                    break
        if not found:
            found = [RouteMatch(route, here_path, here_reasons)]
        return found

    return visit(root, (), ())


class RoutingError(ValueError):
    pass


def validate_tree(root: Route, receivers: Mapping[str, Receiver]) -> list[str]:
    """Errors (raise) and warnings (returned) about a built tree."""
    warnings: list[str] = []
    names: dict[str, str] = {}
    for route in root.walk():
        if route.name in names:
            raise RoutingError(f"route name {route.name!r} is used twice ({names[route.name]}, {route.id})")
        names[route.name] = route.id
        if route.receiver not in receivers:
            raise RoutingError(f"route {route.name!r} uses unknown receiver {route.receiver!r}")
        needed = receivers[route.receiver].template_fields()
        if GROUP_BY_ALL not in route.group_by:
            missing = needed - set(route.group_by)
            if missing:
                raise RoutingError(
                    f"route {route.name!r}: receiver {route.receiver!r} is addressed by "
                    f"{sorted(missing)} which must be in group_by (else one message could mix "
                    f"recipients); group_by is {list(route.group_by)}"
                )
        if route.group_interval <= timedelta(0):
            raise RoutingError(f"route {route.name!r}: group_interval must be positive")
    for name in receivers:
        if not any(r.receiver == name for r in root.walk()):
            warnings.append(f"receiver {name!r} is not used by any route")
    return warnings


