"""The dispatcher's own settings (frozen, from the environment; read once, in ``__main__``).

The SMTP password is a ``SecretStr`` (never printed); webhook secrets stay in the environment under
the variable names ``agencies.yaml`` gives them and are read only when a request is signed.
"""
from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DispatcherSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True)  # Compose passes unset as ""

    # Its cycle.
    interval_s: float = Field(1.0, alias="PANTAU_NOTIFY_INTERVAL_S", gt=0)
    # Only the lease holder sends; a dead holder's lease expires after this long.
    lease_s: float = Field(30.0, alias="PANTAU_NOTIFY_LEASE_S", gt=0)
    instance: str = Field("", alias="PANTAU_NOTIFY_INSTANCE")
    # The retention run (config/retention.yaml) every this many hours; 0 turns it off (run it by hand).
    retention_every_h: float = Field(24.0, alias="PANTAU_RETENTION_EVERY_H", ge=0)
    smtp_host: str = Field("127.0.0.1", alias="PANTAU_SMTP_HOST")
    smtp_port: int = Field(25, alias="PANTAU_SMTP_PORT", ge=1, le=65535)
    smtp_from: str = Field("Pantau Netral <pantau-netral@localhost>", alias="PANTAU_SMTP_FROM")
    smtp_starttls: bool = Field(False, alias="PANTAU_SMTP_STARTTLS")
    smtp_ssl: bool = Field(False, alias="PANTAU_SMTP_SSL")
    smtp_username: str = Field("", alias="PANTAU_SMTP_USERNAME")
    smtp_password: SecretStr = Field(SecretStr(""), alias="PANTAU_SMTP_PASSWORD")
