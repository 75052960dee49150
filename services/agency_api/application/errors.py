"""The one error a use case raises; each adapter maps its ``kind`` to its own answer (HTTP status, page)."""
from __future__ import annotations

from typing import Literal

Kind = Literal["not_found", "forbidden", "conflict", "invalid"]


class UseCaseError(Exception):
    """``code`` is stable for machines; ``message`` is for the person who asked; ``field`` names the input."""

    def __init__(self, kind: Kind, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.kind, self.code, self.message, self.field = kind, code, message, field
