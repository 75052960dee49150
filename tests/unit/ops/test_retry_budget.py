"""The notification retry budget across rounds: hours, jitter, state in the log entry.

Before (issue 9): e-mail gave up after 4 attempts in about 4 s, and a missing webhook secret failed
permanently at once.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from services.dispatcher.budget import RetryBudget, after_failure, due, retryable, schedule
from services.notify.resend import resend_plan
from services.dispatcher.channels.retry import DeliveryResult

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DOWN = DeliveryResult(False, "failed_exhausted", reason="gave up after 4 attempts (connection: ConnectionRefusedError)")
REFUSED = DeliveryResult(False, "failed_permanent", reason="receiver answered 400; not retried")
NO_SECRET = DeliveryResult(False, "failed_permanent", reason="webhook secret variable PANTAU_WEBHOOK_SECRET_BKN is not set")


@pytest.mark.parametrize(("result", "expected"), [(DOWN, True), (REFUSED, False), (NO_SECRET, True),
                                                  (DeliveryResult(True, "delivered"), False)])
def test_what_is_worth_another_round(result, expected):
    assert retryable(result) is expected


def test_a_receiver_that_stays_down_is_retried_for_hours_not_seconds():
    budget = RetryBudget(hours=24, first_delay_s=60, max_delay_s=3600)
    times = schedule(budget, random.Random(7))
    assert times[-1] > 20 * 3600  # the last round runs late in the 24 h window
    assert times[-1] <= 24 * 3600
    gaps = [b - a for a, b in zip([0.0, *times], times)]
    assert min(gaps) >= 30 and max(gaps) <= 3600  # never immediate, never more than the cap
    assert len(times) < 60  # ~ an hour apart once the cap is reached, not a storm


def test_jitter_spreads_receivers_that_failed_together():
    budget = RetryBudget()
    waits = {round(budget.delay(5, random.Random(seed)), 3) for seed in range(20)}
    assert len(waits) > 15
    assert all(budget.ceiling(5) / 2 <= w <= budget.ceiling(5) for w in waits)


def test_the_state_lives_in_the_entry_so_a_restart_continues_the_count():
    budget = RetryBudget(hours=1, first_delay_s=60, max_delay_s=600)
    entry: dict = {"_id": "n1", "state": "pending"}
    now = NOW
    rounds = 0
    while True:
        decision = after_failure(entry, DOWN, now, budget, random.Random(rounds))
        rounds += 1
        # what the dispatcher stores, and what a fresh process reads back
        entry = {"_id": "n1", "state": "pending" if decision.retry else "failed", **decision.fields}
        if not decision.retry:
            break
        assert not due(entry, now)
        now = entry["retry"]["next_attempt_at"]
        assert due(entry, now)
    assert entry["retry"]["rounds"] == rounds
    assert now - NOW <= timedelta(hours=1)
    assert "retry budget of 1 h spent" in decision.reason


def test_a_permanent_refusal_fails_at_once():
    decision = after_failure({}, REFUSED, NOW, RetryBudget())
    assert not decision.retry and "not retryable" in decision.reason


def test_an_entry_without_a_schedule_is_due():
    assert due({"state": "pending"}, NOW)
    assert due({"retry": {"next_attempt_at": (NOW - timedelta(seconds=1)).isoformat()}}, NOW)


@pytest.mark.parametrize(("failure", "entry", "expected"), [
    (None, None, "not_found"),
    ({"kind": "unresolved"}, None, "not_resendable"),
    ({"kind": "delivery"}, None, "not_resendable"),
    ({"kind": "delivery"}, {"state": "sent"}, "already_sent"),
    ({"kind": "delivery"}, {"state": "pending"}, "already_pending"),
    ({"kind": "delivery"}, {"state": "failed"}, None),
])
def test_what_can_be_resent(failure, entry, expected):
    assert resend_plan(failure, entry, "n1") == expected
