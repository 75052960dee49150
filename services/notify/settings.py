"""Notify's own settings (frozen, from the environment); connections come from ``shared.settings``.

The SMTP password is a ``SecretStr`` (never printed); webhook secrets stay in the environment under
the variable names ``agencies.yaml`` gives them and are read only when a request is signed.
"""
from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True)  # Compose passes unset as ""

    # The dispatcher process (python -m services.dispatcher): its cycle.
    interval_s: float = Field(1.0, alias="PANTAU_NOTIFY_INTERVAL_S", gt=0)
    # Only the lease holder sends; a dead holder's lease expires after this long.
    lease_s: float = Field(30.0, alias="PANTAU_NOTIFY_LEASE_S", gt=0)
    instance: str = Field("", alias="PANTAU_NOTIFY_INSTANCE")
    smtp_host: str = Field("127.0.0.1", alias="PANTAU_SMTP_HOST")
    smtp_port: int = Field(25, alias="PANTAU_SMTP_PORT", ge=1, le=65535)
    smtp_from: str = Field("Pantau Netral <pantau-netral@localhost>", alias="PANTAU_SMTP_FROM")
    smtp_starttls: bool = Field(False, alias="PANTAU_SMTP_STARTTLS")
    smtp_ssl: bool = Field(False, alias="PANTAU_SMTP_SSL")
    smtp_username: str = Field("", alias="PANTAU_SMTP_USERNAME")
    smtp_password: SecretStr = Field(SecretStr(""), alias="PANTAU_SMTP_PASSWORD")
    # Desk sessions: cookies are signed with this secret; empty = a random one per process (every
    # desk session then ends when the API restarts). Set it when several API processes serve the desk.
    desk_secret: SecretStr = Field(SecretStr(""), alias="PANTAU_DESK_SECRET")
    desk_session_hours: float = Field(12.0, alias="PANTAU_DESK_SESSION_HOURS", gt=0, le=24 * 7)
    # Cek Netral: checks per client per minute (no key needed, so this bounds abuse).
    check_per_minute: int = Field(20, alias="PANTAU_CHECK_PER_MINUTE", ge=1, le=10_000)
    check_max_chars: int = Field(20_000, alias="PANTAU_CHECK_MAX_CHARS", ge=100, le=1_000_000)


@lru_cache(maxsize=1)
def get_notify_settings() -> NotifySettings:
    return NotifySettings()
