"""What every router shares: the one error shape (and how a use case's refusal maps onto it), the caller
(API key or desk session), request-value parsing that answers 400 instead of 500, and JSON views.
Who may see and do what lives in ``services.agency_api.application``."""
from __future__ import annotations

import hashlib
import time
from collections import defaultdict, deque
from datetime import datetime, timezone
from typing import Any

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, TypeAdapter, ValidationError

from services.agency_api.application.context import WebContext
from services.agency_api.application.errors import UseCaseError
from services.agency_api.auth import Principal, lookup
from services.agency_api.routers.session import session_principal
from services.notify.domain.config import NotifyConfig
from services.notify.store import NotifyStore

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
_DATETIME = TypeAdapter(AwareDatetime)


STATUS_OF_KIND = {"not_found": 404, "forbidden": 403, "conflict": 409, "invalid": 422}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The agency API's one error shape: ``{"error": {"code", "message", "field"}}``."""
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status_code=status,
                        headers=headers)


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS = {s: {"model": ErrorResponse} for s in (400, 401, 403, 404, 409, 422, 429)}


def store_of(request: Request) -> NotifyStore:
    return request.app.state.store


def context_of(request: Request) -> WebContext:
    return request.app.state.context


def api_error(exc: UseCaseError) -> ApiError:
    """A use case's refusal as this API answers it."""
    return ApiError(STATUS_OF_KIND[exc.kind], exc.code, exc.message, exc.field)


def config_of(request: Request) -> NotifyConfig:
    return request.app.state.config


# ---------------------------------------------------------------------- bad keys: slow down
class BadKeyThrottle:
    """Repeated bad keys from one client are answered 429 for a while; a *valid* key from the same
    client always passes (the check runs only after a lookup failed), so an attacker sharing an
    agency's network address cannot lock the agency out."""

    def __init__(self, max_failures: int = 20, window_s: float = 60.0):
        self.max_failures, self.window_s = max_failures, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str, now: float) -> deque[float]:
        q = self._failures[client]
        while q and q[0] < now - self.window_s:
            q.popleft()
        return q

    def failed(self, client: str) -> int | None:
        """Record a failure; the Retry-After seconds when the client is over the limit."""
        now = time.monotonic()
        q = self._recent(client, now)
        q.append(now)
        if len(self._failures) > 10_000:  # bounded memory under a spray from many addresses
            for key in list(self._failures)[:5_000]:
                self._failures.pop(key, None)
        if len(q) > self.max_failures:
            return max(1, int(self.window_s - (now - q[0])) + 1)
        return None


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


# Declared for OpenAPI only (Swagger's "Authorize" sends them); ``presented_key`` reads the headers.
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="an agency API key, pn_<id>_<secret>")
BEARER = HTTPBearer(auto_error=False, bearerFormat="pn_<id>_<secret>", description="the same key as a bearer token")


async def principal(request: Request, _header: str | None = Security(API_KEY_HEADER),
                    _bearer: HTTPAuthorizationCredentials | None = Security(BEARER)) -> Principal:
    """The caller of a ``/v1`` route: an API key, or (for reads) the desk's session cookie."""
    store = store_of(request)
    presented = presented_key(request)
    found = await lookup(store.api_keys, presented)
    if found is None and request.method == "GET":
        found = await session_principal(request)
    if found is None:
        client = request.client.host if request.client else "?"
        retry = request.app.state.throttle.failed(client) if presented else None  # only keys tried count
        if retry is not None:
            raise ApiError(429, "too_many_bad_keys", "too many invalid API keys from this client; slow down",
                           None, {"Retry-After": str(retry)})
        raise ApiError(401, "unauthorized", "a valid API key is required (Authorization: Bearer pn_...)")
    request.state.principal = found
    return found


# ---------------------------------------------------------------------- request values
def clamp_limit(value: int | None, default: int = 50) -> int:
    return max(1, min(MAX_LIMIT, default if value is None else value))


def clamp_offset(value: int | None) -> int:
    return max(0, min(MAX_OFFSET, value or 0))


def parse_since(raw: str | None, field: str = "since") -> datetime | None:
    """An ISO-8601 instant with an offset, within years 1970..9998 in UTC; else 400 naming the field."""
    if raw is None or raw == "":
        return None
    try:
        value = _DATETIME.validate_python(raw)
        utc = value.astimezone(timezone.utc)
    except (ValidationError, ValueError, OverflowError):
        raise ApiError(400, "invalid_datetime", f"{field} must be an ISO-8601 date-time with a UTC offset, "
                       "e.g. 2024-01-20T00:00:00+07:00", field)
    if not 1970 <= utc.year <= 9998:
        raise ApiError(400, "out_of_range", f"{field} must lie between 1970 and 9998", field)
    return utc


# ---------------------------------------------------------------------- views
def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


SENSITIVE = ("key", "token", "secret", "password", "auth", "session", "csrf", "sig")


def redact_query(query: str) -> str:
    """The audit keeps parameter names, never a value that may be a secret."""
    from urllib.parse import parse_qsl, urlencode

    try:
        pairs = parse_qsl(query, keep_blank_values=True)
    except ValueError:
        return "<unparseable>"
    safe = [(k, "<redacted>" if any(s in k.lower() for s in SENSITIVE) or v.startswith("pn_") else v[:200])
            for k, v in pairs]
    return urlencode(safe)


def client_fingerprint(request: Request) -> str:
    host = request.client.host if request.client else "?"
    return hashlib.sha256(host.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------- JSON bodies, checked before the model
MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 32


def _depth(raw: str) -> int:
    """Deepest bracket nesting outside strings, in one pass (no recursion, so no stack to blow)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _bad_string(value: Any, path: str) -> str | None:
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                return p or "body"
        elif isinstance(v, dict):
            for k, item in v.items():
                if _bad_string(k, p) is not None:
                    return p or "body"
                stack.append((item, f"{p}.{k}" if p else str(k)))
        elif isinstance(v, list):
            stack.extend((item, f"{p}[{i}]") for i, item in enumerate(v))
    return None


def json_body_problem(raw: bytes) -> tuple[int, str, str, str | None] | None:
    """Why a ``/v1`` JSON body is refused before any model sees it (status, code, message, field):
    too large (413), not UTF-8, nested deeper than ``MAX_DEPTH``, not JSON, or holding a lone
    UTF-16 surrogate (400) — each a clear answer instead of a 500."""
    import json

    if len(raw) > MAX_BODY_BYTES:
        return 413, "body_too_large", f"the body may hold at most {MAX_BODY_BYTES} bytes", None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return 400, "invalid_encoding", f"the body is not UTF-8 (byte {exc.start})", None
    if _depth(text) > MAX_DEPTH:
        return 400, "too_deep", f"JSON nested deeper than {MAX_DEPTH} levels", None
    try:
        value = json.loads(text)
    except ValueError as exc:
        return 400, "invalid_json", f"the body is not JSON: {str(exc)[:120]}", None
    field = _bad_string(value, "")
    if field is not None:
        return 400, "invalid_string", "a string holds a lone UTF-16 surrogate", field
    return None
