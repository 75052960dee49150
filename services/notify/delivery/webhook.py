"""Webhook delivery with an HMAC-SHA256 signature, replay window and bounded retries.

Headers on every attempt (re-signed per attempt, so a late retry is still inside the window):
  X-Pantau-Timestamp: <unix seconds>
  X-Pantau-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
  Idempotency-Key / X-Pantau-Notification-Id: the notification-log key; the same key is re-sent
    unchanged on retries and after a restart, so a receiver that stores it never acts twice.

Retry rule: 2xx success; 5xx, 429 (honouring ``Retry-After`` seconds or HTTP date), timeouts and
connection errors are retried with exponential backoff and full jitter inside the budget; any other
status (3xx, 4xx) fails at once.

Receivers verify with ``verify_signature(secret, timestamp, body, signature, now)``.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import time
from datetime import datetime, timezone
from typing import Awaitable, Callable, Iterable, Mapping

import httpx

from .retry import Attempt, DeliveryResult, RetryPolicy, parse_retry_after

TIMESTAMP_HEADER = "X-Pantau-Timestamp"
SIGNATURE_HEADER = "X-Pantau-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
NOTIFICATION_HEADER = "X-Pantau-Notification-Id"
ATTEMPT_HEADER = "X-Pantau-Attempt"
DEFAULT_WINDOW = 300.0
USER_AGENT = "pantau-netral-notify/1"


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str | bytes | Iterable[str | bytes],
    timestamp: str | int | None,
    body: bytes,
    signature: str | None,
    now: float | datetime | None = None,
    window: float = DEFAULT_WINDOW,
) -> bool:
    """True when ``signature`` is valid for ``timestamp.body`` and the timestamp is within
    ``window`` seconds of ``now`` (both directions: replayed old requests and clock-skewed future
    ones are refused). ``secret`` may be a list during key rotation."""
    if timestamp is None or not signature:
        return False
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        return False
    if now is None:
        now_s = time.time()
    elif isinstance(now, datetime):
        now_s = now.timestamp()
    else:
        now_s = float(now)
    if abs(now_s - ts) > window:
        return False
    # An empty secret signs nothing: anyone could compute that "signature".
    secrets = [s for s in ([secret] if isinstance(secret, (str, bytes)) else list(secret)) if s]
    given = signature.strip()
    return any(hmac.compare_digest(sign(s, ts, body), given) for s in secrets)


Sleep = Callable[[float], Awaitable[None]]


class WebhookSender:
    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._client = client
        self._own_client = client is None
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._clock = clock
        self._monotonic = monotonic

    async def __aenter__(self) -> "WebhookSender":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def send(
        self,
        url: str,
        body: bytes,
        *,
        secret: str | bytes | None,
        idempotency_key: str,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        policy: RetryPolicy | None = None,
    ) -> DeliveryResult:
        policy = policy or self.policy
        timeout = timeout if timeout is not None else policy.timeout
        started = self._monotonic()
        attempts: list[Attempt] = []
        number = 0
        while True:
            number += 1
            ts = int(self._clock())
            hdrs = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                TIMESTAMP_HEADER: str(ts),
                IDEMPOTENCY_HEADER: idempotency_key,
                NOTIFICATION_HEADER: idempotency_key,
                ATTEMPT_HEADER: str(number),
                **(headers or {}),
            }
            if secret:
                hdrs[SIGNATURE_HEADER] = sign(secret, ts, body)
            attempt = Attempt(number=number)
            attempts.append(attempt)
            t0 = self._monotonic()
            retryable = False
            retry_after: float | None = None
            try:
                response = await self._http().post(url, content=body, headers=hdrs, timeout=timeout)
                attempt.status_code = response.status_code
                code = response.status_code
                if 200 <= code < 300:
                    attempt.elapsed_ms = (self._monotonic() - t0) * 1000
                    return DeliveryResult(True, "delivered", attempts, status_code=code)
                if code == 429 or code >= 500:
                    retryable = True
                    retry_after = parse_retry_after(response.headers.get("Retry-After"),
                                                    datetime.fromtimestamp(self._clock(), timezone.utc))
                    attempt.retry_after = retry_after
                    attempt.error = f"http {code}"
                else:
                    attempt.error = f"http {code}"
                    attempt.elapsed_ms = (self._monotonic() - t0) * 1000
                    return DeliveryResult(False, "failed_permanent", attempts,
                                          reason=f"receiver answered {code}; not retried", status_code=code)
            except httpx.TimeoutException:
                attempt.error = "timeout"
                retryable = True
            except httpx.TransportError as exc:  # connection refused/reset, DNS ...
                attempt.error = f"transport_error: {type(exc).__name__}"
                retryable = True
            except httpx.HTTPError as exc:  # invalid URL and friends
                attempt.error = f"{type(exc).__name__}"
                attempt.elapsed_ms = (self._monotonic() - t0) * 1000
                return DeliveryResult(False, "failed_permanent", attempts, reason=str(exc))
            attempt.elapsed_ms = (self._monotonic() - t0) * 1000
            assert retryable
            last_code = attempt.status_code
            if number >= policy.max_attempts:
                return DeliveryResult(False, "failed_exhausted", attempts,
                                      reason=f"gave up after {number} attempts ({attempt.error})",
                                      status_code=last_code)
            wait = policy.delay(number, self._rng)
            if retry_after is not None:
                wait = max(wait, retry_after)
            elapsed = self._monotonic() - started
            if elapsed + wait > policy.max_elapsed:
                return DeliveryResult(False, "failed_exhausted", attempts,
                                      reason=(f"retry budget of {policy.max_elapsed:g}s spent after {number} "
                                              f"attempts ({attempt.error}; next wait {wait:.1f}s)"),
                                      status_code=last_code)
            attempt.wait_before_next = wait
            await self._sleep(wait)
