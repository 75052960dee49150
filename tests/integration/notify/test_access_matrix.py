"""The access matrix, run against the real agency API on the real store: every route of the OpenAPI
document × (no key, bad key, revoked key, agency A, agency B, analyst, admin) -> expected status.
A new route without a row fails ``test_every_openapi_route_has_a_row``. Plus the hostile-input
edges of issue 13: operators never reach a query, path tricks are 404, huge limit/offset are
clamped, out-of-range dates are 400, non-JSON bodies 415, repeated bad keys 429 without locking
out the agency, and the audit never holds a secret."""
from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from services.agency_api.api import create_app
from services.agency_api.auth import key_document, new_key
from services.agency_api.routers.common import BadKeyThrottle
from services.notify.domain import cases as wf
from services.notify.store import NotifyStore
from shared.schemas import utcnow
from tests.unit.notify.conftest import make_alert

from .helpers import api_server, make_key, put_alert

pytestmark = pytest.mark.integration
ROLES = ("none", "bad", "revoked", "agency_b", "agency_a", "analyst", "admin")
NO_KEY = {"none": {401}, "bad": {401}, "revoked": {401}}
ANYONE = {**NO_KEY, "agency_a": {200}, "agency_b": {200}, "analyst": {200}, "admin": {200}}
STAFF = {**NO_KEY, "agency_a": {403}, "agency_b": {403}, "analyst": {200}, "admin": {200}}
REASON = {"reason": "alasan pengujian akses"}

# (method, path template, body) -> role -> allowed statuses. {A} is agency A's forwarded case.
MATRIX: list[tuple[str, str, dict | None, dict[str, set[int]]]] = [
    ("GET", "/v1/cases", None, ANYONE),
    ("GET", "/v1/cases/export", None, ANYONE),
    ("GET", "/v1/stats", None, ANYONE),
    ("GET", "/v1/cases/{A}", None, {**ANYONE, "agency_b": {404}}),
    ("POST", "/v1/cases/{A}/verify", REASON, {**NO_KEY, "agency_a": {403}, "agency_b": {404},
                                              "analyst": {409}, "admin": {409}}),
    ("POST", "/v1/cases/{A}/reject", REASON, {**NO_KEY, "agency_a": {403}, "agency_b": {404},
                                              "analyst": {409}, "admin": {409}}),
    ("POST", "/v1/cases/{A}/acknowledge", {"note": "diterima"}, {**NO_KEY, "agency_b": {404}, "agency_a": {200},
                                                                 "analyst": {403}, "admin": {409}}),
    ("POST", "/v1/cases/{A}/status", {"status": "closed_not_proven", "reason": "tidak terbukti"},
     {**NO_KEY, "agency_b": {404}, "agency_a": {200}, "analyst": {403}, "admin": {409}}),
    ("POST", "/v1/cases/{A}/assign", {"analyst": "analis-1"}, {**STAFF}),
    ("POST", "/v1/cases/{A}/notes", {"note": "catatan"}, {**ANYONE, "agency_b": {404}}),
    ("GET", "/v1/reviews", None, STAFF),
    ("POST", "/v1/reviews/{R}/accept", REASON, {**STAFF, "analyst": {404}, "admin": {404}}),
    ("POST", "/v1/reviews/{R}/reject", REASON, {**STAFF, "analyst": {404}, "admin": {404}}),
    ("GET", "/v1/silences", None, ANYONE),
    ("POST", "/v1/silences", "silence", {**ANYONE, "agency_a": {201}, "agency_b": {201}, "analyst": {201},
                                         "admin": {201}}),
    ("DELETE", "/v1/silences/{S}", None, {**NO_KEY, "agency_a": {404}, "agency_b": {404}, "analyst": {404},
                                          "admin": {404}}),
    ("GET", "/v1/notify/failures", None, STAFF),
    ("POST", "/v1/notify/failures/{F}/resend", None, {**STAFF, "analyst": {404}, "admin": {404}}),
    ("POST", "/v1/check", {"text": "rapat koordinasi pelayanan publik"},
     {r: {200} for r in ROLES}),  # public: no key needed, none required
]


def test_every_openapi_route_has_a_row():
    spec = create_app().openapi()
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    rows = {(m, p.replace("{A}", "{case_id}").replace("{R}", "{review_id}").replace("{S}", "{silence_id}")
              .replace("{F}", "{failure_id}"))
            for m, p, _, _ in MATRIX}
    assert routes - rows == set(), "routes without an access-matrix row"
    assert rows - routes == set(), "matrix rows for routes that no longer exist"
    assert all(set(expected) == set(ROLES) for *_, expected in MATRIX)


async def seeded(db):
    a = make_alert(external_id="acl-a")
    b = make_alert(external_id="acl-b", nip="199001012015031001", agency_code="BPS",
                   agency_name="Badan Pusat Statistik")
    store = NotifyStore(db)
    for alert in (a, b):
        await put_alert(db, alert)
        doc = await store.get_case_doc(alert.alert_id)
        case = wf.apply(store.case_from(doc), "auto_forward", actor="test", role="system", now=utcnow(), reason="uji")
        assert await store.save_case(case, doc.get("version", 0))
    revoked, key_id = new_key()
    await db["api_keys"].insert_one({**key_document(revoked, key_id, "PEMKOT-3374", "agency", "revoked"),
                                     "revoked": True})
    keys = {"none": None, "bad": "pn_000000000000_" + "x" * 43, "revoked": revoked,
            "agency_a": await make_key(db, "PEMKOT-3374"), "agency_b": await make_key(db, "BPS"),
            "analyst": await make_key(db, "BKN", "analyst"), "admin": await make_key(db, "BKN", "admin")}
    return a, b, keys


def headers(key):
    return {"Authorization": f"Bearer {key}"} if key else {}


async def test_access_matrix(db, notify_setup):
    a, b, keys = await seeded(db)
    failures = []
    wide = BadKeyThrottle(max_failures=10_000)  # the matrix itself sends many bad keys; 429 is tested below
    async with api_server(db, notify_setup["config"], throttle=wide) as base, httpx.AsyncClient(base_url=base) as http:
        for method, template, body, expected in MATRIX:
            path = template.replace("{A}", a.alert_id).replace("{R}", "rv_nope").replace("{S}", "sil_nope").replace("{F}", "nf_nope")
            for role in ROLES:
                payload = body
                if body == "silence":
                    payload = {"matchers": [f'agency="{"BPS" if role == "agency_b" else "PEMKOT-3374"}"'],
                               "ends_at": (utcnow() + timedelta(days=1)).isoformat(), "comment": "uji akses"}
                r = await http.request(method, path, json=payload, headers=headers(keys[role]))
                if r.status_code not in expected[role]:
                    failures.append(f"{method} {template} as {role}: {r.status_code} (want {sorted(expected[role])})")
                if r.status_code >= 400:
                    assert set(r.json()["error"]) == {"code", "message", "field"}, r.text
        # an agency's list and export never hold another agency's case
        for role, own, other in (("agency_a", a, b), ("agency_b", b, a)):
            listed = (await http.get("/v1/cases", headers=headers(keys[role]))).json()["items"]
            assert {c["case_id"] for c in listed} == {own.alert_id}
            exported = (await http.get("/v1/cases/export", params={"format": "csv"}, headers=headers(keys[role]))).text
            assert own.alert_id in exported and other.alert_id not in exported
            assert "form_label" in exported.splitlines()[0] and "kampanye melalui media sosial" in exported
            xlsx = await http.get("/v1/cases/export", params={"format": "xlsx"}, headers=headers(keys[role]))
            assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert failures == []


async def test_hostile_inputs_never_reach_a_query_or_answer_500(db, notify_setup):
    a, b, keys = await seeded(db)
    agency = headers(keys["agency_a"])
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        r = await http.get("/v1/cases", params={"offset": "99999999999999999999", "limit": "100000000"}, headers=agency)
        assert r.status_code == 200 and r.json()["limit"] == 200 and r.json()["offset"] == 1_000_000
        for since in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "kemarin", "2024-01-01T00:00:00"):
            r = await http.get("/v1/cases", params={"since": since}, headers=agency)
            assert r.status_code == 400 and r.json()["error"]["field"] == "since", (since, r.text)
        # operators as query values are plain strings; as bracketed names they are unknown parameters
        r = await http.get("/v1/cases?status[$ne]=new&agency[$ne]=x", headers=agency)
        assert r.status_code == 200 and {c["case_id"] for c in r.json()["items"]} == {a.alert_id}
        r = await http.get("/v1/cases", params={"form": '{"$ne": null}'}, headers=agency)
        assert r.status_code == 200 and r.json()["items"] == []
        r = await http.get("/v1/cases", params={"agency": "BPS"}, headers=agency)  # an agency cannot widen its scope
        assert {c["case_id"] for c in r.json()["items"]} == {a.alert_id}
        r = await http.post(f"/v1/cases/{a.alert_id}/notes", json={"note": {"$ne": ""}}, headers=agency)
        assert r.status_code == 422 and r.json()["error"]["field"] == "note"
        for trick in ("..%2F..%2Fetc%2Fpasswd", "%7B%22%24ne%22%3Anull%7D", b.alert_id, "al_" + "0" * 32, "%00"):
            r = await http.get(f"/v1/cases/{trick}", headers=agency)
            assert r.status_code == 404, (trick, r.status_code)
        r = await http.post(f"/v1/cases/{a.alert_id}/notes", content=b"note=x", headers={
            **agency, "Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
        json_headers = {**agency, "Content-Type": "application/json"}
        for body, code in ((b'{"note": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "too_deep"),
                           (b'{"note": "\\ud800"}', "invalid_string"),
                           (b'{"note": ', "invalid_json")):
            r = await http.post(f"/v1/cases/{a.alert_id}/notes", content=body, headers=json_headers)
            assert r.status_code == 400 and r.json()["error"]["code"] == code, (code, r.status_code, r.text[:200])
        r = await http.post("/v1/check", content=b"[" * 5000, headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        secret = keys["agency_a"]
        r = await http.get("/v1/cases", params={"api_key": secret, "token": "rahasia"})
        assert r.status_code == 401
    audit = await db["audit"].find({}).to_list(None)
    assert audit and not any(secret in str(row) or "rahasia" in str(row) for row in audit)
    assert any("api_key=%3Credacted%3E" in row["query"] for row in audit)


async def test_repeated_bad_keys_slow_down_without_locking_out_the_agency(db, notify_setup):
    a, _, keys = await seeded(db)
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        codes = [(await http.get("/v1/cases", headers=headers(f"pn_{i:012d}_" + "y" * 43))).status_code
                 for i in range(30)]
        assert codes[:20] == [401] * 20 and set(codes[21:]) == {429}
        slowed = await http.get("/v1/cases", headers=headers("pn_000000000001_" + "z" * 43))
        assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
        assert (await http.get("/v1/cases")).status_code == 401  # no key at all is not a guess: plain 401
        ok = await http.get("/v1/cases", headers=headers(keys["agency_a"]))  # same client, valid key
        assert ok.status_code == 200 and ok.json()["items"][0]["case_id"] == a.alert_id


async def test_desk_pages_follow_the_same_matrix(db, notify_setup):
    a, b, keys = await seeded(db)
    async with api_server(db, notify_setup["config"]) as base:
        async def session(role):
            http = httpx.AsyncClient(base_url=base, follow_redirects=False)
            page = await http.get("/desk/login")
            import re

            token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            r = await http.post("/desk/login", data={"api_key": keys[role] or "", "csrf": token})
            return http, r

        anon = httpx.AsyncClient(base_url=base, follow_redirects=False)
        assert (await anon.get("/desk/cases")).status_code == 303  # to the login page
        assert (await anon.get(f"/desk/cases/{a.alert_id}")).status_code == 303
        assert (await anon.get("/cek")).status_code == 200
        await anon.aclose()
        for role in ("bad", "revoked"):
            http, r = await session(role)
            assert r.status_code == 401 and "pn_desk" not in r.cookies
            await http.aclose()
        expect = {"agency_a": (200, 404, 403), "agency_b": (404, 200, 403), "analyst": (200, 200, 200),
                  "admin": (200, 200, 200)}
        for role, (own, other, reviews) in expect.items():
            http, r = await session(role)
            assert r.status_code == 303 and r.headers["location"] == "/desk/cases"
            cookie = r.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
            assert (await http.get(f"/desk/cases/{a.alert_id}")).status_code == own
            assert (await http.get(f"/desk/cases/{b.alert_id}")).status_code == other
            assert (await http.get("/desk/reviews")).status_code == reviews
            # a form without the session's CSRF token is refused
            r = await http.post(f"/desk/cases/{a.alert_id}/action", data={"action": "note", "note": "x"})
            assert r.status_code == 403
            await http.aclose()
