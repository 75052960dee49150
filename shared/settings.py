"""Connection and runtime settings, read once from the environment (loopback defaults).

Frozen, so a running service can never drift from what it was started with. The defaults are the
ports `pantau infra up` uses; the test suite sets its own through the same variables. An empty
variable counts as unset (Compose passes ``${VAR:-}`` as ``''``), so it falls back to the default.

Where the configuration files are is ``shared.config_paths`` (no pydantic-settings there: the offline
``pantau classify`` resolves its election files without paying for this module's import).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.config_paths import REPO_ROOT


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
    # How often a classify worker looks (between batches) for a newly promoted model: one small read.
    classify_model_check_s: float = Field(5.0, alias="PANTAU_CLASSIFY_MODEL_CHECK_S", gt=0)
    # Re-screening of a newly active registry version (services/match/domain/rescreen.py): the
    # claiming worker renews its lease every third of it; a claim not renewed for this long (its worker
    # died) is taken over by another match worker. Items are matched and published a chunk at a time.
    rescreen_lease_s: float = Field(60.0, alias="PANTAU_RESCREEN_LEASE_S", ge=3, le=3600)
    rescreen_chunk: int = Field(500, alias="PANTAU_RESCREEN_CHUNK", ge=1, le=10000)
    # Lower than faust's 60 s so a restarted worker rejoins its group quickly.
    kafka_session_timeout_s: float = Field(10.0, alias="PANTAU_KAFKA_SESSION_TIMEOUT_S")
    # This process's own principal on the broker's internal SASL/SCRAM listener (each service has one;
    # unset: the operator's admin principal of the local stack, see shared.kafka_client.credentials).
    kafka_username: str = Field("", alias="PANTAU_KAFKA_USERNAME")
    kafka_password: str = Field("", alias="PANTAU_KAFKA_PASSWORD", repr=False)
    # What agencies are told to connect to (the SASL/SCRAM-over-TLS listener) and the CA that signed
    # the broker's certificate; unset: the local stack's (port + 2, its generated CA).
    kafka_external_bootstrap: str = Field("", alias="PANTAU_KAFKA_EXTERNAL_BOOTSTRAP")
    kafka_ca_file: str = Field("", alias="PANTAU_KAFKA_CA_FILE")

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
    def kafka_secrets_dir(self) -> Path:
        """Where the local stack keeps its generated broker passwords (one file per principal, 0600)."""
        return self.state_dir / "kafka" / "secrets"

    @property
    def ingest_keys(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.ingest_api_keys.split(",") if k.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
