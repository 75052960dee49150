"""The web process's own settings (frozen, from the environment; read once, in ``api.create_app``)."""
from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True)  # Compose passes unset as ""

    # Desk sessions: cookies are signed with this secret; empty = a random one per process (every
    # desk session then ends when the API restarts). Set it when several API processes serve the desk.
    desk_secret: SecretStr = Field(SecretStr(""), alias="PANTAU_DESK_SECRET")
    desk_session_hours: float = Field(12.0, alias="PANTAU_DESK_SESSION_HOURS", gt=0, le=24 * 7)
    # Cek Netral: checks per client per minute (no key needed, so this bounds abuse).
    check_per_minute: int = Field(20, alias="PANTAU_CHECK_PER_MINUTE", ge=1, le=10_000)
