"""Bounded retries, one runner for every channel: exponential backoff with full jitter, an
attempt cap and a time budget.

Alertmanager retried a down webhook ~200 times in 10 minutes (alertmanager#2286) and had no
fallback (#3359). Here every send has a budget; when it is spent the caller writes a dead-letter
record operators can see. A channel only says what one attempt found (``Tried``); the waiting,
counting and giving up live here once, so webhook, e-mail and Kafka retry by the same rule.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Awaitable, Callable, Literal


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5  # seconds; ceiling of attempt n's wait is base * 2**(n-1)
    max_delay: float = 30.0  # cap of one wait
    max_elapsed: float = 300.0  # total budget in seconds, waits included
    timeout: float = 10.0  # per request

    def ceiling(self, retry_number: int) -> float:
        """Upper bound of the wait before retry ``retry_number`` (1 = first retry)."""
        return min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))

    def delay(self, retry_number: int, rng: random.Random) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, ceiling]."""
        return rng.uniform(0.0, self.ceiling(retry_number))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date. ``None`` if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


Outcome = Literal["delivered", "failed_permanent", "failed_exhausted"]


@dataclass
class Attempt:
    number: int
    status_code: int | None = None
    error: str | None = None  # e.g. "timeout", "connect_error", "smtp 451 ..."
    elapsed_ms: float = 0.0
    retry_after: float | None = None
    wait_before_next: float | None = None


@dataclass
class DeliveryResult:
    ok: bool
    outcome: Outcome
    attempts: list[Attempt] = field(default_factory=list)
    reason: str = ""
    status_code: int | None = None

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Tried:
    """What one attempt found: delivered, worth another attempt, or a permanent failure (``reason``).
    Details (status code, error, ``Retry-After``) go on the ``Attempt`` the runner passed in."""
    verdict: Literal["delivered", "retry", "permanent"]
    reason: str = ""


DELIVERED = Tried("delivered")
RETRY = Tried("retry")

AttemptOnce = Callable[[Attempt], Awaitable[Tried]]
Sleep = Callable[[float], Awaitable[None]]


class RetryRunner:
    """Runs one channel's attempts under a ``RetryPolicy``; the clock, sleep and randomness are
    injected so tests run the real rule without waiting."""

    def __init__(self, *, sleep: Sleep = asyncio.sleep, rng: random.Random | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._monotonic = monotonic

    async def run(self, attempt_once: AttemptOnce, policy: RetryPolicy) -> DeliveryResult:
        started = self._monotonic()
        attempts: list[Attempt] = []
        while True:
            attempt = Attempt(number=len(attempts) + 1)
            attempts.append(attempt)
            t0 = self._monotonic()
            tried = await attempt_once(attempt)
            attempt.elapsed_ms = (self._monotonic() - t0) * 1000
            if tried.verdict == "delivered":
                return DeliveryResult(True, "delivered", attempts, status_code=attempt.status_code)
            if tried.verdict == "permanent":
                return DeliveryResult(False, "failed_permanent", attempts, reason=tried.reason or attempt.error or "",
                                      status_code=attempt.status_code)
            if attempt.number >= policy.max_attempts:
                return DeliveryResult(False, "failed_exhausted", attempts,
                                      reason=f"gave up after {attempt.number} attempts ({attempt.error})",
                                      status_code=attempt.status_code)
            wait = policy.delay(attempt.number, self._rng)
            if attempt.retry_after is not None:
                wait = max(wait, attempt.retry_after)
            if self._monotonic() - started + wait > policy.max_elapsed:
                return DeliveryResult(False, "failed_exhausted", attempts,
                                      reason=(f"retry budget of {policy.max_elapsed:g}s spent after {attempt.number} "
                                              f"attempts ({attempt.error}; next wait {wait:.1f}s)"),
                                      status_code=attempt.status_code)
            attempt.wait_before_next = wait
            await self._sleep(wait)
