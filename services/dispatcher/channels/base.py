"""The one interface every delivery channel (webhook, e-mail, Kafka) offers the dispatcher.

The dispatcher hands a channel a logged notification (key, exact body, target) and gets a
``DeliveryResult``; what a channel does on the wire, and how it retries (``RetryRunner``), stays
behind this line, so adding a channel touches no dispatcher step.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Protocol

from .retry import DeliveryResult

log = logging.getLogger("pantau.dispatcher.channels")


@dataclass(frozen=True)
class Notification:
    """One logged notification as a channel sends it: the log key (also the idempotency key), the
    stored body (the same bytes on every retry and after a restart) and the target."""
    key: str
    body: bytes
    target: Mapping[str, Any]

    @classmethod
    def of_log_entry(cls, entry: Mapping[str, Any]) -> "Notification":
        return cls(entry["_id"], entry["body"].encode(), entry["target"])


class Channel(Protocol):
    kind: str

    async def deliver(self, notification: Notification) -> DeliveryResult: ...

    async def close(self) -> None: ...


def failed(reason: str) -> DeliveryResult:
    return DeliveryResult(False, "failed_permanent", [], reason=reason)


class Channels:
    """The channels by kind; a target's ``kind`` picks one. Any error a channel raises becomes a
    visible failed delivery (with a dead-letter record), never a crashed cycle."""

    def __init__(self, channels: Iterable[Channel]):
        self._by_kind = {c.kind: c for c in channels}

    async def deliver(self, notification: Notification) -> DeliveryResult:
        kind = notification.target.get("kind")
        channel = self._by_kind.get(kind)
        if channel is None:
            return failed(f"unknown integration kind {kind!r}")
        try:
            return await channel.deliver(notification)
        except Exception as exc:  # noqa: BLE001 - any unexpected error becomes a visible failure
            log.exception("delivery raised")
            return failed(f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        for channel in self._by_kind.values():
            await channel.close()
