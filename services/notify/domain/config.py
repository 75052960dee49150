"""Loading and validating notify configuration: ``config/routes.yaml``, ``config/agencies.yaml``
(with the files its ``include:`` names, e.g. ``central_agencies.yaml``) and ``config/sanctions.yaml``
(plus contestant display names from ``config/elections.yaml`` when present). Reading files is the
only I/O here; everything else is pure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.config_paths import ConfigError

from .agencies import Agency, AgencyDirectory
from .durations import Duration
from .flood import FloodLimit
from .inhibit import InhibitRule
from .labels import CASE_EVENTS, KNOWN_LABELS
from .routing import Receiver, Route, RouteMatch, RouteSpec, RoutingError, build_tree, match_routes, validate_tree
from .severity import SanctionTable
from .silences import Silence

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG_DIR = REPO_ROOT / "config"


class CaseSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A forwarded case not acknowledged within this time escalates (event="escalated").
    escalate_unacknowledged_after: Duration = timedelta(days=7)


class RoutesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    receivers: list[Receiver] = Field(min_length=1)
    route: RouteSpec
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)
    flood_limits: list[FloodLimit] = Field(default_factory=list)
    silences: list[Silence] = Field(default_factory=list)  # static ones; the API adds more
    silence_max_duration: Duration = timedelta(days=30)
    cases: CaseSettings = Field(default_factory=CaseSettings)

    @model_validator(mode="after")
    def _unique(self) -> "RoutesFile":
        names = [r.name for r in self.receivers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"receiver names used twice: {', '.join(dupes)}")
        for what, items in (("inhibit rule", self.inhibit_rules), ("flood limit", self.flood_limits)):
            seen = [i.name for i in items]
            d = sorted({n for n in seen if seen.count(n) > 1})
            if d:
                raise ValueError(f"{what} names used twice: {', '.join(d)}")
        return self


@dataclass(frozen=True)
class NotifyConfig:
    routes: RoutesFile
    tree: Route
    receivers: Mapping[str, Receiver]
    directory: AgencyDirectory
    sanctions: SanctionTable
    contestant_names: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)

    def match(self, labels: Mapping[str, str]) -> list[RouteMatch]:
        return match_routes(self.tree, labels)

    @property
    def escalate_after(self) -> timedelta:
        return self.routes.cases.escalate_unacknowledged_after


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if isinstance(data, dict):
        # Top-level keys starting with "_" only hold YAML anchors (shared text blocks).
        data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    return data


def _format_validation(path: Path, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        out.append(f"{path.name}: {loc}: {err['msg']}")
    return out


class _AgencyList(BaseModel):
    """A file named by ``include:`` in agencies.yaml: more explicit entries, nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    agencies: list[Agency] = Field(default_factory=list)


def _parse(path: Path, model: type[BaseModel], problems: list[str]) -> Any:
    """``model`` validated from the YAML at ``path``, or None with the reasons added to ``problems``."""
    if not path.exists():
        problems.append(f"{path}: file not found")
        return None
    try:
        return model.model_validate(_read_yaml(path))
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: invalid YAML: {exc}")
    except ValidationError as exc:
        problems.extend(_format_validation(path, exc))
    return None


def _agencies(path: Path, problems: list[str]) -> AgencyDirectory | None:
    """The directory with the entries of every included file (paths relative to ``path``) appended,
    so codes are checked for uniqueness across all of them."""
    if not path.exists():
        problems.append(f"{path}: file not found")
        return None
    try:
        data = _read_yaml(path)
    except yaml.YAMLError as exc:
        problems.append(f"{path.name}: invalid YAML: {exc}")
        return None
    if isinstance(data, dict) and "include" in data:
        data = dict(data)
        names = data.pop("include")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            problems.append(f"{path.name}: include: expected a list of file names")
            return None
        agencies = list(data.get("agencies") or [])
        for name in names:
            part = _parse(path.parent / name, _AgencyList, problems)
            if part is not None:
                agencies.extend(a.model_dump() for a in part.agencies)
        data["agencies"] = agencies
    try:
        return AgencyDirectory.model_validate(data)
    except ValidationError as exc:
        problems.extend(_format_validation(path, exc))
    return None


def load_agency_directory(path: Path | None = None) -> AgencyDirectory:
    """The agency directory alone (default: the configuration surface's agencies.yaml), for
    commands that only resolve codes; raises ``ConfigError``."""
    if path is None:
        from shared.config_paths import config_paths

        path = config_paths().agencies
    problems: list[str] = []
    directory = _agencies(Path(path), problems)
    if directory is None:
        raise ConfigError(problems)
    return directory


def _contestant_names(path: Path) -> dict[str, str]:
    """Best-effort: any mapping with an ``id`` like ``capres-02`` and a ``name``/``label``."""
    if not path.exists():
        return {}
    try:
        data = _read_yaml(path)
    except yaml.YAMLError:
        return {}
    out: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            cid = node.get("id") or node.get("code")
            name = node.get("display_name") or node.get("name") or node.get("label")
            if isinstance(cid, str) and isinstance(name, str) and cid.startswith(("capres-", "partai-", "pilkada-", "cagub-", "cabup-", "cawalkot-")):
                out.setdefault(cid, name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return out


def _all_contestant_names(base: Path) -> dict[str, str]:
    """Display names from ``elections.yaml`` and ``elections/*.yaml`` (owned by classify)."""
    out: dict[str, str] = {}
    paths = [base / "elections.yaml", *sorted((base / "elections").glob("*.yaml"))]
    for path in paths:
        for cid, name in _contestant_names(path).items():
            out.setdefault(cid, name)
    return out


def config_dir() -> Path:
    from shared.config_paths import config_paths

    return config_paths().config_dir


def load_notify_config(
    directory: Path | None = None,
    *,
    routes_path: Path | None = None,
    agencies_path: Path | None = None,
    sanctions_path: Path | None = None,
) -> NotifyConfig:
    """Load and validate; raises ``ConfigError`` listing every problem found."""
    if directory:
        base = Path(directory)
        defaults = {"routes": base / "routes.yaml", "agencies": base / "agencies.yaml", "sanctions": base / "sanctions.yaml"}
    else:  # the one configuration surface (PANTAU_CONFIG_DIR and the PANTAU_NOTIFY_* file overrides)
        from shared.config_paths import config_paths

        paths = config_paths()
        base = paths.config_dir
        defaults = {"routes": paths.routes, "agencies": paths.agencies, "sanctions": paths.sanctions}
    routes_path = Path(routes_path or defaults["routes"])
    agencies_path = Path(agencies_path or defaults["agencies"])
    sanctions_path = Path(sanctions_path or defaults["sanctions"])
    problems: list[str] = []
    parsed = {
        "routes": _parse(routes_path, RoutesFile, problems),
        "agencies": _agencies(agencies_path, problems),
        "sanctions": _parse(sanctions_path, SanctionTable, problems),
    }
    if problems:
        raise ConfigError(problems)
    routes: RoutesFile = parsed["routes"]
    receivers = {r.name: r for r in routes.receivers}
    warnings: list[str] = []
    try:
        tree = build_tree(routes.route)
        warnings.extend(validate_tree(tree, receivers))
    except (RoutingError, ValueError) as exc:
        raise ConfigError([f"{routes_path.name}: {exc}"]) from exc
    for route in tree.walk():
        for label in route.group_by:
            if label != "..." and label not in KNOWN_LABELS:
                warnings.append(f"route {route.name!r} groups by unknown label {label!r}")
        for m in route.matchers:
            if m.name not in KNOWN_LABELS:
                warnings.append(f"route {route.name!r} matches unknown label {m.name!r}")
            if m.name == "event" and m.op == "=" and m.value not in CASE_EVENTS:
                warnings.append(f"route {route.name!r} matches event={m.value!r}; events are {', '.join(CASE_EVENTS)}")
    for rule in routes.inhibit_rules:
        for label in rule.equal:
            if label not in KNOWN_LABELS:
                warnings.append(f"inhibit rule {rule.name!r}: equal uses unknown label {label!r}")
    return NotifyConfig(
        routes=routes,
        tree=tree,
        receivers=receivers,
        directory=parsed["agencies"],
        sanctions=parsed["sanctions"],
        contestant_names=_all_contestant_names(base),
        warnings=tuple(warnings),
        sources={"routes": str(routes_path), "agencies": str(agencies_path), "sanctions": str(sanctions_path)},
    )


def check_notify_config(directory: Path | None = None) -> list[str]:
    """For ``pantau check-config``: returns warnings, raises ``ConfigError`` on errors."""
    return list(load_notify_config(directory).warnings)
