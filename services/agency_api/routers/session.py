"""The desk's session: a signed cookie naming an API key, re-checked against the key store on every request
with the same validity rule as API access (``auth.key_state``), so revoking or expiring a key ends both."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from services.agency_api.auth import Principal, key_state
from services.agency_api.settings import WebSettings

COOKIE = "pn_desk"


@dataclass(frozen=True)
class DeskSecrets:
    secret: str
    hours: float

    @classmethod
    def from_settings(cls, s: WebSettings) -> "DeskSecrets":
        return cls(s.desk_secret.get_secret_value() or secrets.token_urlsafe(32), s.desk_session_hours)

    def serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="pantau-desk-session")

    def csrf(self, nonce: str) -> str:
        return hmac.new(self.secret.encode(), f"csrf\x1f{nonce}".encode(), hashlib.sha256).hexdigest()


def desk_secrets(request: Request) -> DeskSecrets:
    return request.app.state.desk


def session_data(request: Request) -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    d = desk_secrets(request)
    try:
        data = d.serializer().loads(raw, max_age=int(d.hours * 3600))
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("k"), str) else None


async def session_principal(request: Request) -> Principal | None:
    """The desk user, re-checked against the key store on every request: a revoked key, or one past its expiry
    (its rotation grace included), ends the session at once, as it ends API access (``auth.key_state``)."""
    data = session_data(request)
    if data is None:
        return None
    doc = await request.app.state.store.api_key(data["k"])
    if not doc or key_state(doc) != "active" or not hmac.compare_digest(doc["key_hash"][:16], str(data.get("h", ""))):
        return None
    request.state.desk_nonce = data.get("n", "")
    return Principal(doc["_id"], doc["agency_code"], doc["role"], doc.get("label", ""))


