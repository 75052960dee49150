"""Webhook delivery against a real HTTP receiver on 127.0.0.1 (aiohttp), which verifies the
signatures with the same helper agencies use."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import socket
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from aiohttp import web

from services.dispatcher.channels.retry import RetryPolicy, RetryRunner, parse_retry_after
from services.dispatcher.channels.webhook import (
    IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookChannel, sign, verify_signature,
)

SECRET = "rahasia-uji-webhook"
BODY = json.dumps({"version": "1", "items": [{"case_id": "al_1"}]}).encode()
NOW = 1_705_741_200  # 2024-01-20T09:00:00Z


# ------------------------------------------------------------------ signature (pure)
def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == "sha256=" + expected


GOOD = sign(SECRET, NOW, BODY)
VERIFY = [
    ("valid", SECRET, NOW, BODY, GOOD, NOW + 10, True),
    ("valid at the window edge", SECRET, NOW, BODY, GOOD, NOW + 300, True),
    ("replay after the window", SECRET, NOW, BODY, GOOD, NOW + 301, False),
    ("timestamp from the future beyond the window", SECRET, NOW, BODY, GOOD, NOW - 301, False),
    ("tampered body", SECRET, NOW, BODY + b" ", GOOD, NOW, False),
    ("timestamp changed (signature bound to it)", SECRET, NOW + 1, BODY, GOOD, NOW, False),
    ("wrong secret", "lain", NOW, BODY, GOOD, NOW, False),
    ("rotation: any of several secrets", ["lama", SECRET], NOW, BODY, GOOD, NOW, True),
    ("missing signature", SECRET, NOW, BODY, None, NOW, False),
    ("non-numeric timestamp", SECRET, "kemarin", BODY, GOOD, NOW, False),
    ("no sha256= prefix", SECRET, NOW, BODY, GOOD.removeprefix("sha256="), NOW, False),
    ("empty secret (anyone can sign with it)", "", NOW, BODY, sign("", NOW, BODY), NOW, False),
    ("empty secret among rotated ones", ["", "lain"], NOW, BODY, sign("", NOW, BODY), NOW, False),
]


@pytest.mark.parametrize("secret,ts,body,sig,now,ok", [v[1:] for v in VERIFY], ids=[v[0] for v in VERIFY])
def test_verify_signature_table(secret, ts, body, sig, now, ok):
    assert verify_signature(secret, ts, body, sig, now=now) is ok


def test_verify_accepts_datetime_now():
    assert verify_signature(SECRET, NOW, BODY, GOOD, now=datetime.fromtimestamp(NOW + 5, timezone.utc))


# ------------------------------------------------------------------ backoff schedule (pure)
def test_backoff_ceilings_and_full_jitter():
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=30)
    assert [policy.ceiling(n) for n in range(1, 10)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    rng = random.Random(7)
    for n in range(1, 10):
        samples = [policy.delay(n, rng) for _ in range(200)]
        assert all(0 <= s <= policy.ceiling(n) for s in samples)
        assert max(samples) > 0.7 * policy.ceiling(n) and min(samples) < 0.3 * policy.ceiling(n)  # spread: full jitter


@pytest.mark.parametrize(
    "value,expected",
    [("7", 7.0), (" 0 ", 0.0), ("", None), (None, None), ("soon", None), ("-3", None),
     (format_datetime(datetime(2024, 1, 20, 9, 0, 30, tzinfo=timezone.utc), usegmt=True), 30.0),
     (format_datetime(datetime(2024, 1, 20, 8, 0, 0, tzinfo=timezone.utc), usegmt=True), 0.0)],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, datetime(2024, 1, 20, 9, 0, tzinfo=timezone.utc)) == expected


# ------------------------------------------------------------------ real receiver
class Receiver:
    """A scripted agency endpoint: answers from ``script`` in order, then 200; verifies every
    request's signature with ``verify_signature`` and records what it saw."""

    def __init__(self):
        self.script: list = []
        self.seen: list[dict] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.seen.append({
            "at": time.monotonic(),
            "valid": verify_signature(SECRET, request.headers.get(TIMESTAMP_HEADER), body,
                                      request.headers.get(SIGNATURE_HEADER)),
            "key": request.headers.get(IDEMPOTENCY_HEADER),
            "attempt": request.headers.get("X-Pantau-Attempt"),
            "body": body,
        })
        step = self.script.pop(0) if self.script else 200
        if isinstance(step, tuple) and step[0] == "sleep":
            await asyncio.sleep(step[1])
            return web.Response(status=200)
        if isinstance(step, tuple):
            status, headers = step
            return web.Response(status=status, headers=headers)
        return web.Response(status=step)

    async def start(self):
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
async def receiver():
    r = Receiver()
    await r.start()
    yield r
    await r.runner.cleanup()


def fast_sender(**policy) -> tuple[WebhookChannel, list[float]]:
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    base = dict(max_attempts=5, base_delay=0.5, max_delay=30, max_elapsed=300, timeout=2)
    base.update(policy)
    return WebhookChannel(RetryPolicy(**base), runner=RetryRunner(sleep=record, rng=random.Random(1))), waits


async def test_delivered_first_time_signed_with_idempotency_key(receiver):
    sender, waits = fast_sender()
    result = await sender.send(receiver.url, BODY, secret=SECRET, idempotency_key="nf_abc")
    await sender.close()
    assert result.ok and result.outcome == "delivered" and result.attempt_count == 1
    assert receiver.seen[0]["valid"] and receiver.seen[0]["key"] == "nf_abc" and receiver.seen[0]["body"] == BODY
    assert waits == []


@pytest.mark.parametrize(
    "script,outcome,attempts",
    [
        ([500, 502, 200], "delivered", 3),
        ([503, 503, 503, 503, 503], "failed_exhausted", 5),
        ([(429, {}), 200], "delivered", 2),
        ([400], "failed_permanent", 1),
        ([401], "failed_permanent", 1),
        ([404], "failed_permanent", 1),
        ([422], "failed_permanent", 1),
        ([500, 410], "failed_permanent", 2),
        ([301], "failed_permanent", 1),
    ],
)
async def test_retry_rule_against_real_receiver(receiver, script, outcome, attempts):
    receiver.script = list(script)
    sender, waits = fast_sender()
    result = await sender.send(receiver.url, BODY, secret=SECRET, idempotency_key="nf_key")
    await sender.close()
    assert result.outcome == outcome
    assert result.attempt_count == attempts == len(receiver.seen)
    # every attempt freshly signed and valid, the idempotency key never changes
    assert all(s["valid"] for s in receiver.seen)
    assert {s["key"] for s in receiver.seen} == {"nf_key"}
    assert [s["attempt"] for s in receiver.seen] == [str(i) for i in range(1, attempts + 1)]
    # waits between attempts follow the full-jitter ceilings 0.5, 1, 2, 4 ...
    assert len(waits) == attempts - 1
    for n, w in enumerate(waits, 1):
        assert 0 <= w <= 0.5 * 2 ** (n - 1)


async def test_retry_after_seconds_is_honoured_with_real_time(receiver):
    receiver.script = [(429, {"Retry-After": "1"}), 200]
    sender = WebhookChannel(RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.01, timeout=2))
    result = await sender.send(receiver.url, BODY, secret=SECRET, idempotency_key="nf_ra")
    await sender.close()
    assert result.ok and result.attempt_count == 2
    assert result.attempts[0].retry_after == 1.0 and result.attempts[0].wait_before_next >= 1.0
    gap = receiver.seen[1]["at"] - receiver.seen[0]["at"]
    assert gap >= 0.95, gap


async def test_retry_after_http_date_is_honoured(receiver):
    when = datetime.now(timezone.utc) + timedelta(seconds=40)
    receiver.script = [(503, {"Retry-After": format_datetime(when, usegmt=True)}), 200]
    sender, waits = fast_sender()
    result = await sender.send(receiver.url, BODY, secret=SECRET, idempotency_key="nf_date")
    await sender.close()
    assert result.ok and 38 <= waits[0] <= 41


async def test_retry_after_beyond_the_budget_gives_up(receiver):
    receiver.script = [(429, {"Retry-After": "3600"})]
    sender, waits = fast_sender(max_elapsed=60)
    result = await sender.send(receiver.url, BODY, secret=SECRET, idempotency_key="nf_budget")
    await sender.close()
    assert result.outcome == "failed_exhausted" and result.attempt_count == 1 and waits == []
    assert "budget" in result.reason


async def test_timeout_is_retried(receiver):
    receiver.script = [("sleep", 1.5), 200]
    sender, waits = fast_sender(timeout=0.3)
    result = await sender.send(receiver.url, BODY, secret=SECRET, idempotency_key="nf_to")
    await sender.close()
    assert result.ok and result.attempt_count == 2 and result.attempts[0].error == "timeout"


async def test_receiver_down_is_retried_then_exhausted():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sender, waits = fast_sender(max_attempts=3)
    result = await sender.send(f"http://127.0.0.1:{port}/hook", BODY, secret=SECRET, idempotency_key="nf_down")
    await sender.close()
    assert result.outcome == "failed_exhausted" and result.attempt_count == 3
    assert all(a.error.startswith("transport_error") for a in result.attempts)
    assert len(waits) == 2
