"""Connection and runtime settings, read once from the environment (loopback defaults).

Frozen, so a running service can never drift from what it was started with. The defaults are the
ports `pantau infra up` uses; the test suite sets its own through the same variables. An empty
variable counts as unset (Compose passes ``${VAR:-}`` as ``''``), so it falls back to the default.

Configuration files come from one surface, ``config_paths()``: ``PANTAU_CONFIG_DIR`` (default: the
checkout's ``config/``, else the copy packaged in the wheel as ``pantau_config``) and single-file
overrides for each family. Services, ``pantau check-config`` and the offline commands all resolve
through it, so what check-config validates is what the services load.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True)

    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", alias="KAFKA_BOOTSTRAP_SERVERS")
    mongodb_uri: str = Field("mongodb://127.0.0.1:27017/pantau", alias="MONGODB_URI")
    # Loopback unless an operator opens it (containers: 0.0.0.0 behind the published ports).
    bind_host: str = Field("127.0.0.1", alias="PANTAU_BIND_HOST")
    api_port: int = Field(8080, alias="PANTAU_API_PORT")
    ingest_port: int = Field(8081, alias="PANTAU_INGEST_PORT")
    # Each service's faust web server (health and readiness) is on web_port_base + its offset.
    web_port_base: int = Field(6060, alias="PANTAU_WEB_PORT_BASE")
    topic_partitions: int = Field(8, alias="PANTAU_TOPIC_PARTITIONS", ge=1)
    ingest_api_keys: str = Field("", alias="PANTAU_INGEST_API_KEYS", repr=False)
    state_dir: Path = Field(REPO_ROOT / ".run" / "demo", alias="PANTAU_STATE_DIR")
    log_level: str = Field("INFO", alias="PANTAU_LOG_LEVEL")
    public_url: str = Field("http://127.0.0.1:8080", alias="PANTAU_PUBLIC_URL")
    # A stage takes up to this many records, or what arrived within this many ms, as one batch: one
    # bulk insert and one wait for the broker's acknowledgements per batch instead of per record.
    batch_max_records: int = Field(500, alias="PANTAU_BATCH_MAX_RECORDS", ge=1, le=5000)
    batch_max_wait_ms: float = Field(50.0, alias="PANTAU_BATCH_MAX_WAIT_MS", gt=0, le=5000)
    # CPU a record's classification may take before it is dead-lettered as "too costly".
    classify_budget_ms: float = Field(2000.0, alias="PANTAU_CLASSIFY_BUDGET_MS", gt=0)
    # Re-screening of a newly active registry version (services/match/domain/rescreen.py): the
    # claiming worker renews its lease every third of it; a claim not renewed for this long (its worker
    # died) is taken over by another match worker. Items are matched and published a chunk at a time.
    rescreen_lease_s: float = Field(60.0, alias="PANTAU_RESCREEN_LEASE_S", ge=3, le=3600)
    rescreen_chunk: int = Field(500, alias="PANTAU_RESCREEN_CHUNK", ge=1, le=10000)
    # Lower than faust's 60 s so a restarted worker rejoins its group quickly.
    kafka_session_timeout_s: float = Field(10.0, alias="PANTAU_KAFKA_SESSION_TIMEOUT_S")
    # Configuration (see config_paths): a folder, and single files that override one family each.
    config_dir: Path | None = Field(None, alias="PANTAU_CONFIG_DIR")
    elections_path: Path | None = Field(None, alias="PANTAU_ELECTIONS")  # a file or a folder of *.yaml
    match_config_path: Path | None = Field(None, alias="PANTAU_MATCH_CONFIG")
    routes_path: Path | None = Field(None, alias="PANTAU_NOTIFY_ROUTES")
    agencies_path: Path | None = Field(None, alias="PANTAU_NOTIFY_AGENCIES")
    sanctions_path: Path | None = Field(None, alias="PANTAU_NOTIFY_SANCTIONS")

    @field_validator("ingest_api_keys")
    @classmethod
    def _keys_or_nothing(cls, value: str) -> str:
        if value.strip() and not any(k.strip() for k in value.split(",")):
            raise ValueError("PANTAU_INGEST_API_KEYS holds only separators: give comma-separated keys, or leave it "
                             "unset for an open loopback door")
        return value

    @property
    def kafka_url(self) -> str:
        return ",".join(f"kafka://{host}" for host in self.kafka_bootstrap_servers.split(","))

    @property
    def ingest_keys(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.ingest_api_keys.split(",") if k.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


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


@dataclass(frozen=True)
class ConfigPaths:
    """Where every configuration family is read from (``source`` says why: env variable or default)."""

    config_dir: Path
    elections: Path
    match: Path
    routes: Path
    agencies: Path
    sanctions: Path
    source: str

    def families(self) -> dict[str, Path]:
        return {"elections": self.elections, "match": self.match, "routes": self.routes,
                "agencies": self.agencies, "sanctions": self.sanctions}


def config_paths(settings: Settings | None = None) -> ConfigPaths:
    """Resolve the configuration surface. Without ``settings`` the environment is read afresh
    (tests and tools change ``PANTAU_CONFIG_DIR`` between calls; services read it once anyway)."""
    s = settings or Settings()
    base = Path(s.config_dir) if s.config_dir else default_config_dir()
    return ConfigPaths(
        config_dir=base,
        elections=Path(s.elections_path) if s.elections_path else base / "elections",
        match=Path(s.match_config_path) if s.match_config_path else base / "match.yaml",
        routes=Path(s.routes_path) if s.routes_path else base / "routes.yaml",
        agencies=Path(s.agencies_path) if s.agencies_path else base / "agencies.yaml",
        sanctions=Path(s.sanctions_path) if s.sanctions_path else base / "sanctions.yaml",
        source="PANTAU_CONFIG_DIR" if s.config_dir else ("packaged" if base != REPO_ROOT / "config" else "checkout"),
    )
