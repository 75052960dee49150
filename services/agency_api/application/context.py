"""What every use case needs, built once by the process's composition root (``services.agency_api.api``)."""
from __future__ import annotations

from dataclasses import dataclass

from services.notify.domain.config import NotifyConfig
from services.notify.store import NotifyStore


@dataclass(frozen=True)
class WebContext:
    store: NotifyStore
    config: NotifyConfig
    public_url: str
