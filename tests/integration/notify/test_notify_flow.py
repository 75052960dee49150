"""Notify on the real stack (FerretDB + Kafka): routing, grouping, human verification, forwarding,
agency isolation over real HTTP, signed webhooks with retries, e-mail over SMTP, escalation,
silences, inhibition, dead letters."""
from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from prometheus_client import REGISTRY

from shared.schemas import utcnow
from shared.stored import StoredAlert
from tests.unit.notify.conftest import make_alert

from tests.integration.conftest import read_topic_async

from .helpers import api_server, bodies, case_ids, dispatcher, make_key, put_alert

pytestmark = pytest.mark.integration
S = timedelta(seconds=1)
NIP_B = "199001012015031001"


async def test_route_group_verify_forward_isolate_escalate(db, notify_setup, settings):
    recv, box, config = notify_setup["receiver"], notify_setup["mailbox"], notify_setup["config"]
    a1 = make_alert(external_id="a1", form="engagement")
    a2 = make_alert(external_id="a2", form="social_media_campaign")
    b1 = make_alert(external_id="b1", nip=NIP_B, agency_code="BPS", agency_name="Badan Pusat Statistik",
                    province="31", regency="31.71")
    for alert in (a1, a2, b1):
        await put_alert(db, alert)
    d = dispatcher(db, notify_setup, settings)
    t = utcnow()

    first = await d.run_once(t)
    assert first["routed"] == 3 and first["batches"] == 0  # group_wait 10s
    assert await db["cases"].count_documents({"status": "new"}) == 3

    await d.run_once(t + 11 * S)
    desk = bodies(recv.on("/desk"))
    assert sorted(len(p["items"]) for p in desk) == [1, 2]  # two contents of one person -> one message
    grouped = [p for p in desk if len(p["items"]) == 2][0]
    assert sorted(case_ids(grouped)) == sorted([a1.alert_id, a2.alert_id])
    assert all(r["valid"] for r in recv.on("/desk"))  # receiver verified every HMAC signature
    assert {r["key"] for r in recv.on("/desk")} == {p["notification_id"] for p in desk}
    item = grouped["items"][0]
    assert grouped["version"] == "1" and grouped["event"] == "suspected" and grouped["route"]["route"] == "review"
    assert item["summary"].startswith("Dugaan pelanggaran netralitas ASN") and "belum merupakan putusan" in item["summary"]
    assert "Pasal 9 ayat (2) UU 5/2014" in item["sanction"]["legal_basis_text"]
    assert item["case_url"] == f"http://127.0.0.1:18080/v1/cases/{item['case_id']}"
    ops = await read_topic_async(settings, notify_setup["topic"])
    assert sorted(r.key.decode() for r in ops) == ["BPS", "PEMKOT-3374"], await d.store.log.find(
        {}, {"body": 0, "target": 0}).to_list(None)  # on failure: what the notification log says

    again = await d.run_once(t + 12 * S)
    assert again["batches"] == 0 and len(recv.on("/desk")) == 2  # never twice

    async with api_server(db, config) as base, httpx.AsyncClient(base_url=base) as http:
        pemkot = {"Authorization": f"Bearer {await make_key(db, 'PEMKOT-3374')}"}
        bps = {"X-API-Key": await make_key(db, "BPS")}
        analyst = {"Authorization": f"Bearer {await make_key(db, 'BKN', 'analyst', 'analis-bkn-1')}"}

        assert (await http.get("/v1/cases")).status_code == 401
        bad = await http.get("/v1/cases", headers={"Authorization": "Bearer pn_000000000000_" + "x" * 43})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
        # before verification the agency sees nothing: suspicions stay with the analysts
        assert (await http.get("/v1/cases", headers=pemkot)).json()["items"] == []
        assert (await http.get(f"/v1/cases/{a1.alert_id}", headers=pemkot)).status_code == 404
        # an agency cannot verify
        r = await http.post(f"/v1/cases/{a1.alert_id}/verify", json={"reason": "cocok"}, headers=pemkot)
        assert r.status_code == 404
        r = await http.post(f"/v1/cases/{a1.alert_id}/verify", json={"reason": "x"}, headers=analyst)
        assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
        for alert in (a1, a2):
            r = await http.post(f"/v1/cases/{alert.alert_id}/verify", json={"reason": "akun dan NIP cocok"}, headers=analyst)
            assert r.status_code == 200 and r.json()["status"] == "verified"
        r = await http.post(f"/v1/cases/{b1.alert_id}/reject", json={"reason": "akun bukan milik ASN"}, headers=analyst)
        assert r.json()["status"] == "closed_not_proven"
        r = await http.post(f"/v1/cases/{b1.alert_id}/verify", json={"reason": "lagi"}, headers=analyst)
        assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"

        t2 = utcnow()
        assert (await d.run_once(t2))["forwarded"] == 2
        await d.run_once(t2 + 11 * S)
        to_agency = bodies(recv.on("/agency/PEMKOT-3374"))
        assert len(to_agency) == 1 and sorted(case_ids(to_agency[0])) == sorted([a1.alert_id, a2.alert_id])
        assert to_agency[0]["event"] == "forwarded"
        assert recv.on("/agency/BPS") == []  # rejected case never reaches the employer
        mail = box.messages[-1]
        assert box.envelopes[-1].rcpt_tos == ["netralitas-asn@semarangkota.example"]
        assert "Penerusan dugaan pelanggaran netralitas ASN" in mail["Subject"]

        listed = (await http.get("/v1/cases", headers=pemkot)).json()
        assert sorted(c["case_id"] for c in listed["items"]) == sorted([a1.alert_id, a2.alert_id])
        assert (await http.get("/v1/cases", headers=pemkot, params={"form": "engagement"})).json()["items"][0]["case_id"] == a1.alert_id
        page = (await http.get("/v1/cases", headers=pemkot, params={"limit": 1})).json()
        assert len(page["items"]) == 1 and page["next_offset"] == 1
        detail = (await http.get(f"/v1/cases/{a1.alert_id}", headers=pemkot)).json()
        assert detail["subject"]["nip"] == a1.subject.nip and detail["content"]["evidence_sha256"] == "ab" * 32
        assert detail["classification"]["evidence"][0]["text"] == "#PrabowoGibran2024"
        assert [h["action"] for h in detail["history"]] == ["verify", "forward"]
        assert detail["allowed_actions"] == ["acknowledge"]
        # agency isolation: BPS cannot see or touch Semarang's case, and vice versa
        assert (await http.get(f"/v1/cases/{a1.alert_id}", headers=bps)).status_code == 404
        assert (await http.post(f"/v1/cases/{a1.alert_id}/acknowledge", headers=bps)).status_code == 404
        assert (await http.get("/v1/cases", headers=bps)).json()["items"] == []
        missing = await http.get("/v1/cases/al_nope", headers=pemkot)
        assert missing.status_code == 404 and set(missing.json()["error"]) == {"code", "message", "field"}

        r = await http.post(f"/v1/cases/{a1.alert_id}/acknowledge", json={"note": "diterima BKPP"}, headers=pemkot)
        assert r.json()["status"] == "acknowledged"
        r = await http.post(f"/v1/cases/{a1.alert_id}/status", headers=pemkot, json={"status": "closed_proven", "reason": "terbukti"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "sanction_required"
        r = await http.post(f"/v1/cases/{a1.alert_id}/status", headers=pemkot, json={
            "status": "closed_proven", "reason": "terbukti dalam pemeriksaan",
            "sanction": {"discipline": "berat", "description": "penurunan jabatan setingkat lebih rendah 12 bulan",
                         "decree_number": "800/77/BKPP/2024"}})
        assert r.status_code == 200 and r.json()["status"] == "closed_proven"
        assert r.json()["sanction"]["decree_number"] == "800/77/BKPP/2024"

        # escalation: a2 forwarded but not acknowledged within 7 days
        later = t2 + timedelta(days=7, seconds=5)
        assert (await d.run_once(later))["escalated"] == 1
        await d.run_once(later + 11 * S)
        esc = bodies(recv.on("/escalation"))
        assert len(esc) == 1 and case_ids(esc[0]) == [a2.alert_id] and esc[0]["event"] == "escalated"
        assert "Status: eskalasi" in esc[0]["items"][0]["summary"]
        assert (await d.run_once(later + 3600 * S))["escalated"] == 0  # once
        detail = (await http.get(f"/v1/cases/{a2.alert_id}", headers=analyst)).json()
        assert detail["escalated"] and detail["history"][-1]["action"] == "escalated"

    audit = await db["audit"].find({}).to_list(None)
    assert any(a["status"] == 401 and a["key_id"] is None for a in audit)
    assert any(a["path"] == f"/v1/cases/{a1.alert_id}" and a["agency_code"] == "BPS" and a["status"] == 404 for a in audit)
    await d.close()


async def test_retries_then_dead_letter_visible_to_operators(db, notify_setup, settings):
    recv = notify_setup["receiver"]
    failed_metric = 'pantau_notifications_total{channel="webhook",outcome="failed"}'
    failed_before = REGISTRY.get_sample_value("pantau_notifications_total", {"channel": "webhook", "outcome": "failed"}) or 0
    recv.script["/desk"] = [503, 200]
    ok = make_alert(external_id="r1")
    await put_alert(db, ok)
    d = dispatcher(db, notify_setup, settings)
    t = utcnow()
    await d.run_once(t)
    await d.run_once(t + 11 * S)
    assert [r["valid"] for r in recv.on("/desk")] == [True, True]  # one retry, re-signed
    assert len({r["key"] for r in recv.on("/desk")}) == 1  # same idempotency key on the retry

    recv.script["/desk"] = [500, 500, 500]
    bad = make_alert(external_id="r2", nip=NIP_B, created_at=utcnow())  # arrives while the dispatcher runs
    await put_alert(db, bad)
    await d.run_once(t + 20 * S)
    await d.run_once(t + 31 * S)
    assert len(recv.on("/desk")) == 5  # 3 attempts: the budget
    failure = await db["notify_failures"].find_one({"kind": "delivery"})
    assert failure["outcome"] == "failed_exhausted" and failure["case_ids"] == [bad.alert_id]
    assert len(failure["attempts"]) == 3
    entry = await db["notify_log"].find_one({"_id": failure["_id"]})
    assert entry["state"] == "failed"
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        admin = {"Authorization": f"Bearer {await make_key(db, 'BKN', 'admin')}"}
        rows = (await http.get("/v1/notify/failures", headers=admin)).json()["items"]
        assert any(r["kind"] == "delivery" and r["outcome"] == "failed_exhausted" for r in rows)
        agency = {"Authorization": f"Bearer {await make_key(db, 'PEMKOT-3374')}"}
        assert (await http.get("/v1/notify/failures", headers=agency)).status_code == 403
        exported = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
                    for line in (await http.get("/metrics")).text.splitlines() if not line.startswith("#")}
        assert exported[failed_metric] == failed_before + 1  # operators can alert on failures
    await d.close()


async def test_silence_holds_back_and_inhibition_mutes_post_repeats(db, notify_setup, settings):
    recv = notify_setup["receiver"]
    account = make_alert(external_id="acc", form="social_media_campaign", evidence_field="author.bio")
    post = make_alert(external_id="post", form="social_media_campaign")
    silenced = make_alert(external_id="sil", nip=NIP_B, agency_code="BPS", agency_name="Badan Pusat Statistik",
                          form="engagement")
    for alert in (account, post, silenced):
        await put_alert(db, alert)
    d = dispatcher(db, notify_setup, settings)
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        analyst = {"Authorization": f"Bearer {await make_key(db, 'BKN', 'analyst', 'analis-1')}"}
        t = utcnow()
        r = await http.post("/v1/silences", headers=analyst, json={
            "matchers": ['agency="BPS"', 'form="engagement"'], "ends_at": (t + timedelta(hours=1)).isoformat(),
            "comment": "Konten sosialisasi resmi KPU yang dibagikan ulang, sedang dikaji"})
        assert r.status_code == 201, r.text
        silence_id = r.json()["id"]
        assert r.json()["created_by"].startswith("analis-1")
        bad = await http.post("/v1/silences", headers=analyst, json={
            "matchers": ['form="x"'], "ends_at": (t + timedelta(days=90)).isoformat(), "comment": "terlalu lama"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_silence"

        await d.run_once(t)
        await d.run_once(t + 11 * S)
        desk = bodies(recv.on("/desk"))
        sent = [c for p in desk for c in case_ids(p)]
        assert sent == [account.alert_id]  # post inhibited by the account alert; BPS silenced
        items = {i["case_id"]: i for i in await db["notify_items"].find({"receiver": "desk"}).to_list(None)}
        assert items[post.alert_id]["muted_by"].startswith("inhibited:account-inhibits-posts")
        assert items[silenced.alert_id]["muted_by"] == f"silenced:{silence_id}"
        assert items[silenced.alert_id]["state"] == "pending"  # held back, not lost

        assert (await http.delete(f"/v1/silences/{silence_id}", headers=analyst)).status_code == 200
        await d.run_once(t + 12 * S)
        sent = [c for p in bodies(recv.on("/desk")) for c in case_ids(p)]
        assert sent == [account.alert_id, silenced.alert_id]
        assert post.alert_id not in sent
    await d.close()


async def test_safety_net_opens_cases_for_alerts_stored_without_one(db, notify_setup, settings):
    """A crash between storing an alert and opening its case: the next dispatcher start repairs it."""
    orphan = make_alert(external_id="orphan")
    await db[StoredAlert.COLLECTION].insert_one(StoredAlert.of(orphan).document())
    d = dispatcher(db, notify_setup, settings)
    first = await d.run_once(utcnow())
    assert first["cases_created"] == 1
    assert (await db["cases"].find_one({"_id": orphan.alert_id}))["status"] == "new"
    later = make_alert(external_id="orphan-2", nip=NIP_B, created_at=utcnow())
    await db[StoredAlert.COLLECTION].insert_one(StoredAlert.of(later).document())
    assert (await d.run_once(utcnow()))["cases_created"] == 0  # not every cycle: once per period
    assert (await d.run_once(utcnow() + timedelta(seconds=61)))["cases_created"] == 1
    await d.close()
