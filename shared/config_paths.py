"""Configuration files come from one surface, ``config_paths()``: ``PANTAU_CONFIG_DIR`` (default: the
checkout's ``config/``, else the copy packaged in the wheel as ``pantau_config``) and single-file
overrides for each family. Services, ``pantau check-config`` and the offline commands all resolve
through it, so what check-config validates is what the services load.

The environment is read afresh on every call (tests and tools change ``PANTAU_CONFIG_DIR`` between
calls; services read it once anyway); an empty variable counts as unset, as in ``shared.settings``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# family -> (variable that overrides it, default inside the configuration folder)
OVERRIDES = {
    "elections": ("PANTAU_ELECTIONS", "elections"),  # a file or a folder of *.yaml
    "match": ("PANTAU_MATCH_CONFIG", "match.yaml"),
    "routes": ("PANTAU_NOTIFY_ROUTES", "routes.yaml"),
    "agencies": ("PANTAU_NOTIFY_AGENCIES", "agencies.yaml"),
    "sanctions": ("PANTAU_NOTIFY_SANCTIONS", "sanctions.yaml"),
    "retention": ("PANTAU_RETENTION_CONFIG", "retention.yaml"),
}


def packaged_config_dir() -> Path | None:
    """The configuration shipped inside the wheel (``pantau_config``), if installed."""
    try:
        import pantau_config  # a namespace package: the folder, no __init__.py
    except ImportError:  # not installed as a package (plain checkout)
        return None
    for entry in getattr(pantau_config, "__path__", []):
        if (Path(entry) / "routes.yaml").exists():
            return Path(entry)
    return None


def default_config_dir() -> Path:
    checkout = REPO_ROOT / "config"
    if (checkout / "routes.yaml").exists():
        return checkout
    return packaged_config_dir() or checkout


class ConfigError(ValueError):
    """Problems in configuration files, each naming the file and the place inside it, for people to fix
    (every family's loader collects them all before raising, so one run of check-config shows them all)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ConfigPaths:
    """Where every configuration family is read from (``source`` says why: env variable or default)."""

    config_dir: Path
    elections: Path
    match: Path
    routes: Path
    agencies: Path
    sanctions: Path
    retention: Path
    source: str

    def families(self) -> dict[str, Path]:
        return {"elections": self.elections, "match": self.match, "routes": self.routes,
                "agencies": self.agencies, "sanctions": self.sanctions, "retention": self.retention}


def config_paths() -> ConfigPaths:
    """Resolve the configuration surface from the environment as it is now."""
    folder = os.environ.get("PANTAU_CONFIG_DIR") or None
    base = Path(folder) if folder else default_config_dir()
    files = {family: Path(os.environ.get(variable) or base / default) for family, (variable, default) in OVERRIDES.items()}
    return ConfigPaths(config_dir=base, **files,
                       source="PANTAU_CONFIG_DIR" if folder else ("packaged" if base != REPO_ROOT / "config" else "checkout"))
