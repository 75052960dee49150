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

import hashlib
import hmac
import time
from datetime import datetime, timezone
from typing import Callable, Iterable, Mapping

import httpx

from .base import Notification, failed
from .retry import DELIVERED, RETRY, Attempt, DeliveryResult, RetryPolicy, RetryRunner, Tried, parse_retry_after
from .secrets import read_secret

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


class WebhookChannel:
    """Signed HTTP POSTs; the secret is read at send time the way ``pantau check-config`` reads it
    (``$NAME`` or the file ``$NAME_FILE``), so a secret set or rotated later is picked up."""
    kind = "webhook"

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        runner: RetryRunner | None = None,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        secrets: Callable[[str], str | None] = read_secret,
    ):
        self.policy = policy
        self._runner = runner or RetryRunner()
        self._client = client
        self._own_client = client is None
        self._clock = clock
        self._secrets = secrets

    async def close(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def deliver(self, notification: Notification) -> DeliveryResult:
        target = notification.target
        secret = None
        if target.get("secret_env"):
            secret = self._secrets(target["secret_env"])
            if not secret:  # budget.SECRET_MISSING: retried in later rounds, the operator may still set it
                return failed(f"webhook secret variable {target['secret_env']} is not set")
        return await self.send(target["url"], notification.body, secret=secret, idempotency_key=notification.key,
                               timeout=target.get("timeout"))

    async def send(
        self,
        url: str,
        body: bytes,
        *,
        secret: str | bytes | None,
        idempotency_key: str,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> DeliveryResult:
        timeout = timeout if timeout is not None else self.policy.timeout

        async def post_once(attempt: Attempt) -> Tried:
            ts = int(self._clock())
            hdrs = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                TIMESTAMP_HEADER: str(ts),
                IDEMPOTENCY_HEADER: idempotency_key,
                NOTIFICATION_HEADER: idempotency_key,
                ATTEMPT_HEADER: str(attempt.number),
                **(headers or {}),
            }
            if secret:
                hdrs[SIGNATURE_HEADER] = sign(secret, ts, body)
            try:
                response = await self._http().post(url, content=body, headers=hdrs, timeout=timeout)
            except httpx.TimeoutException:
                attempt.error = "timeout"
                return RETRY
            except httpx.TransportError as exc:  # connection refused/reset, DNS ...
                attempt.error = f"transport_error: {type(exc).__name__}"
                return RETRY
            except httpx.HTTPError as exc:  # invalid URL and friends
                attempt.error = type(exc).__name__
                return Tried("permanent", str(exc))
            return self._judge(response, attempt)

        return await self._runner.run(post_once, self.policy)

    def _judge(self, response: httpx.Response, attempt: Attempt) -> Tried:
        code = attempt.status_code = response.status_code
        if 200 <= code < 300:
            return DELIVERED
        attempt.error = f"http {code}"
        if code == 429 or code >= 500:
            attempt.retry_after = parse_retry_after(response.headers.get("Retry-After"),
                                                    datetime.fromtimestamp(self._clock(), timezone.utc))
            return RETRY
        return Tried("permanent", f"receiver answered {code}; not retried")
