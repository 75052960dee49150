"""The retry budget across rounds, in hours, kept in the notification log (so across restarts).

One *round* is one ``Channel.deliver`` call: a few quick attempts within seconds (``RetryPolicy``,
run by the ``RetryRunner``). When a round fails for a reason that may pass later (a receiver down,
SMTP 4xx, a timeout, a webhook secret not yet set), the log entry stays ``pending`` with the next
round's time; the dispatcher's recovery step only picks entries that are ``due``. Waits grow
exponentially with jitter (half the ceiling plus a random half, so rounds of many receivers that
failed together spread out and none is immediate) up to ``max_delay``; when ``hours`` have passed
since the first failed round, the entry is ``failed`` and a ``notify_failures`` record is written
(operators can resend it: ``pantau notify resend``).

State in the log entry, under ``retry``::

    {"first_failed_at": datetime, "rounds": int, "next_attempt_at": datetime, "last_reason": str}

Used by the dispatcher (``sending.Sender``; see docs/operating.md, "Notification retries"):
``after_failure(entry, result, now, budget)`` when a round failed: if ``.retry``, the entry stays
``pending`` with ``decision.fields``; else it is marked failed. ``due(entry, now)`` filters
``log_pending()`` in ``recover_pending``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.schemas import as_aware

from .channels.retry import DeliveryResult

SECRET_MISSING = "webhook secret variable"  # the dispatcher's reason when secret_env is unset


class BudgetSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True)

    hours: float = Field(24.0, alias="PANTAU_NOTIFY_RETRY_HOURS", gt=0, le=24 * 14)
    first_delay_s: float = Field(60.0, alias="PANTAU_NOTIFY_RETRY_FIRST_S", gt=0)
    max_delay_s: float = Field(3600.0, alias="PANTAU_NOTIFY_RETRY_MAX_S", gt=0)


@dataclass(frozen=True)
class RetryBudget:
    hours: float = 24.0
    first_delay_s: float = 60.0
    max_delay_s: float = 3600.0

    @classmethod
    def from_env(cls) -> "RetryBudget":
        s = BudgetSettings()
        return cls(s.hours, s.first_delay_s, s.max_delay_s)

    @property
    def total(self) -> timedelta:
        return timedelta(hours=self.hours)

    def ceiling(self, round_number: int) -> float:
        """Upper bound of the wait after failed round ``round_number`` (1 = the first)."""
        return min(self.max_delay_s, self.first_delay_s * (2 ** (round_number - 1)))

    def delay(self, round_number: int, rng: random.Random) -> float:
        top = self.ceiling(round_number)
        return top / 2 + rng.uniform(0.0, top / 2)


@dataclass(frozen=True)
class Decision:
    retry: bool
    fields: dict[str, Any] = field(default_factory=dict)  # to $set on the log entry
    reason: str = ""


def retryable(result: DeliveryResult) -> bool:
    """Worth another round later: exhausted quick retries, or a secret the operator can still set."""
    if result.ok:
        return False
    if result.outcome == "failed_exhausted":
        return True
    return result.reason.startswith(SECRET_MISSING)


def after_failure(entry: dict, result: DeliveryResult, now: datetime, budget: RetryBudget,
                  rng: random.Random | None = None) -> Decision:
    """What to do with a log entry whose round just failed."""
    rng = rng or random.Random()
    state = entry.get("retry") or {}
    first = as_aware(state.get("first_failed_at")) or now
    rounds = int(state.get("rounds", 0)) + 1
    if not retryable(result):
        return Decision(False, {"retry": {**state, "first_failed_at": first, "rounds": rounds, "next_attempt_at": None,
                                          "last_reason": result.reason}}, f"not retryable: {result.reason}")
    wait = timedelta(seconds=budget.delay(rounds, rng))
    spent = now - first
    if spent + wait > budget.total:
        return Decision(False, {"retry": {**state, "first_failed_at": first, "rounds": rounds, "next_attempt_at": None,
                                          "last_reason": result.reason}},
                        f"retry budget of {budget.hours:g} h spent after {rounds} rounds ({result.reason})")
    return Decision(True, {"retry": {"first_failed_at": first, "rounds": rounds, "next_attempt_at": now + wait,
                                     "last_reason": result.reason}}, f"round {rounds} failed; next in {wait}")


def due(entry: dict, now: datetime) -> bool:
    """Whether a ``pending`` log entry should be sent now (no schedule: yes, as after a crash)."""
    state = entry.get("retry") or {}
    when = as_aware(state.get("next_attempt_at"))
    return when is None or when <= now


def schedule(budget: RetryBudget, rng: random.Random, rounds: int | None = None) -> list[float]:
    """Seconds from the first failure at which each further round runs, until the budget is spent
    (for docs and tests: what an operator can expect from a receiver that stays down)."""
    at, out, n = 0.0, [], 0
    while rounds is None or n < rounds:
        n += 1
        wait = budget.delay(n, rng)
        if at + wait > budget.total.total_seconds():
            break
        at += wait
        out.append(at)
    return out
