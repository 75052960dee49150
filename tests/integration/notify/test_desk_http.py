"""Desk forms over plain HTTP on the real store: bulk verify and assignment by an analyst, then the
agency records the outcome and sanction; CSRF, logout and a revoked key ending a session."""
from __future__ import annotations

import re

import httpx
import pytest

from services.notify.store import NotifyStore
from tests.unit.notify.conftest import make_alert

from .helpers import api_server, make_key, put_alert

pytestmark = pytest.mark.integration


async def desk_session(base: str, key: str) -> tuple[httpx.AsyncClient, str]:
    http = httpx.AsyncClient(base_url=base, follow_redirects=False)
    page = await http.get("/desk/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = await http.post("/desk/login", data={"api_key": key, "csrf": token})
    assert r.status_code == 303, r.text
    queue = await http.get("/desk/cases")
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1)
    return http, csrf


async def test_bulk_verify_assign_then_agency_closes_with_sanction(db, notify_setup):
    alerts = [make_alert(external_id=f"bulk-{i}", form="engagement") for i in range(3)]
    for alert in alerts:
        await put_alert(db, alert)
    ids = [a.alert_id for a in alerts]
    async with api_server(db, notify_setup["config"]) as base:
        analyst_key = await make_key(db, "BKN", "analyst", "analis-bkn")
        http, csrf = await desk_session(base, analyst_key)
        queue = (await http.get("/desk/cases", params={"q": "coblos", "region": "33.74"})).text
        assert all(f'data-case-id="{i}"' in queue for i in ids)
        assert (await http.get("/desk/cases", params={"q": "tidak-ada-kata-ini"})).text.count("data-case-id=") == 0
        r = await http.post("/desk/bulk", data={"csrf": csrf, "action": "assign", "analyst": "analis-2",
                                                "case_ids": ids[:2]})
        assert r.status_code == 303
        r = await http.post("/desk/bulk", data={"csrf": csrf, "action": "verify", "reason": "akun cocok",
                                                "case_ids": ids[:2]})
        assert r.status_code == 303
        store = NotifyStore(db)
        docs = [await store.get_case_doc(i) for i in ids]
        assert [d["status"] for d in docs] == ["verified", "verified", "new"]
        assert [d.get("assigned_to") for d in docs] == ["analis-2", "analis-2", None]
        assert await db["notify_work"].find_one({"_id": f"forward:{ids[0]}"})  # the dispatcher will forward it
        r = await http.post("/desk/bulk", data={"csrf": "wrong", "action": "verify", "reason": "x", "case_ids": ids[2:]})
        assert r.status_code == 403
        r = await http.post(f"/desk/cases/{ids[2]}/action", data={"csrf": csrf, "action": "reject",
                                                                  "reason": "bukan ASN ini", "wrong_person": "1"})
        assert r.status_code == 303 and (await store.get_case_doc(ids[2]))["status"] == "closed_not_proven"
        r = await http.post("/desk/logout", data={"csrf": csrf})
        assert r.status_code == 303 and (await http.get("/desk/cases")).status_code == 303
        await http.aclose()

        # forwarded (as the dispatcher would) -> the agency acknowledges and closes with the sanction
        from services.notify.domain import cases as wf
        from shared.schemas import utcnow

        doc = await store.get_case_doc(ids[0])
        assert await store.save_case(wf.apply(store.case_from(doc), "forward", actor="system", role="system",
                                              now=utcnow()), doc["version"])
        agency_key = await make_key(db, "PEMKOT-3374", "agency", "bkpp")
        http, csrf = await desk_session(base, agency_key)
        page = (await http.get("/desk/cases")).text
        assert f'data-case-id="{ids[0]}"' in page and f'data-case-id="{ids[1]}"' not in page
        r = await http.post(f"/desk/cases/{ids[0]}/action", data={"csrf": csrf, "action": "acknowledge", "note": "ok"})
        assert r.status_code == 303
        r = await http.post(f"/desk/cases/{ids[0]}/action", data={
            "csrf": csrf, "action": "close", "outcome": "proven", "reason": "terbukti dalam pemeriksaan",
            "discipline": "sedang", "sanction": "pemotongan tunjangan kinerja 25% 6 bulan", "decree_number": "800/1/2024"})
        assert r.status_code == 303
        closed = await store.get_case_doc(ids[0])
        assert closed["status"] == "closed_proven" and closed["sanction"]["decree_number"] == "800/1/2024"
        r = await http.post(f"/desk/cases/{ids[0]}/action", data={"csrf": csrf, "action": "note", "note": "arsip"})
        assert r.status_code == 303 and (await store.get_case_doc(ids[0]))["notes"][-1]["note"] == "arsip"
        # revoking the key ends the session at once
        await db["api_keys"].update_one({"_id": agency_key.split("_")[1]}, {"$set": {"revoked": True}})
        assert (await http.get("/desk/cases")).status_code == 303
        await http.aclose()


async def test_a_key_past_its_expiry_ends_the_desk_session(db, notify_setup):
    # issue 19: a desk cookie kept working after its key expired (or its rotation grace ended)
    from datetime import timedelta

    from shared.schemas import utcnow

    async with api_server(db, notify_setup["config"]) as base:
        key = await make_key(db, "BKN", "analyst")
        http, _ = await desk_session(base, key)
        assert (await http.get("/desk/cases")).status_code == 200
        await db["api_keys"].update_one({"_id": key.split("_")[1]}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}})
        assert (await http.get("/desk/cases")).status_code == 303
        await http.aclose()


async def test_case_link_opens_the_desk_and_pages_need_no_external_network(db, notify_setup):
    alert = make_alert(external_id="link-1")
    await put_alert(db, alert)
    async with api_server(db, notify_setup["config"]) as base:
        anon = httpx.AsyncClient(base_url=base, follow_redirects=False)
        # the case_url of alerts and e-mails, opened in a browser: the desk, via the login
        r = await anon.get(f"/v1/cases/{alert.alert_id}", headers={"Accept": "text/html"})
        assert r.status_code == 303 and r.headers["location"] == f"/desk/cases/{alert.alert_id}"
        r = await anon.get(r.headers["location"])
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/login?next=%2Fdesk%2Fcases%2F")
        assert (await anon.get(f"/v1/cases/{alert.alert_id}")).status_code == 401  # API clients: JSON 401
        page = await anon.get(r.headers["location"])
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        key = await make_key(db, "BKN", "analyst")
        r = await anon.post("/desk/login", data={"api_key": key, "csrf": token, "next": f"/desk/cases/{alert.alert_id}"})
        assert r.headers["location"] == f"/desk/cases/{alert.alert_id}"
        token = re.search(r'name="csrf" value="([^"]+)"', (await anon.get("/desk/login")).text).group(1)
        r = await anon.post("/desk/login", data={"api_key": key, "csrf": token, "next": "//evil.example/x"})
        assert r.headers["location"] == "/desk/cases"  # no open redirect
        # every asset the pages load is served by this process (offline networks)
        for path in ("/docs", "/desk/login", "/cek", f"/desk/cases/{alert.alert_id}"):
            html = (await anon.get(path)).text
            refs = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html)
            loaded = [u for u in refs if u.endswith((".js", ".css", ".png", ".ico", ".svg", ".woff2"))]
            assert loaded and all(u.startswith("/") and not u.startswith("//") for u in loaded), (path, loaded)
            for u in loaded:
                assert (await anon.get(u)).status_code == 200, u
        await anon.aclose()
