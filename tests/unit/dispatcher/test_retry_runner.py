"""The one retry runner every channel uses, as a table of scripted attempts (no network, no waiting)."""
from __future__ import annotations

import random

import pytest

from services.dispatcher.channels.retry import DELIVERED, RETRY, RetryPolicy, RetryRunner, Tried

POLICY = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=8.0, max_elapsed=100.0)
GONE = Tried("permanent", "receiver answered 410; not retried")

# name, verdicts in order, retry_after per attempt, -> outcome, attempts, reason contains
TABLE = [
    ("first attempt delivers", [DELIVERED], {}, "delivered", 1, ""),
    ("transient, then delivered", [RETRY, RETRY, DELIVERED], {}, "delivered", 3, ""),
    ("permanent at once", [GONE], {}, "failed_permanent", 1, "410"),
    ("transient, then permanent", [RETRY, GONE], {}, "failed_permanent", 2, "410"),
    ("attempts used up", [RETRY] * 4, {}, "failed_exhausted", 4, "gave up after 4 attempts"),
    ("Retry-After beyond the time budget", [RETRY], {1: 3600.0}, "failed_exhausted", 1, "retry budget of 100s"),
]


@pytest.mark.parametrize("verdicts,retry_after,outcome,attempts,reason", [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
async def test_retry_runner_table(verdicts, retry_after, outcome, attempts, reason):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    script = iter(verdicts)

    async def attempt_once(attempt):
        attempt.error = "scripted"
        attempt.retry_after = retry_after.get(attempt.number)
        return next(script)

    result = await RetryRunner(sleep=sleep, rng=random.Random(3), monotonic=lambda: sum(waits)).run(attempt_once, POLICY)
    assert (result.outcome, result.attempt_count) == (outcome, attempts) and reason in result.reason
    assert [a.number for a in result.attempts] == list(range(1, attempts + 1))
    assert len(waits) == (attempts - 1 if outcome != "failed_exhausted" or "budget" not in reason else 0)
    assert all(0 <= w <= POLICY.ceiling(n) for n, w in enumerate(waits, 1))  # full jitter under the ceiling
