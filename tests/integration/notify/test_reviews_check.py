"""The review-candidate queue on the real store (read from ``matches`` until the match service
writes ``review_candidates``): accept opens a case, reject records "not this person"; and
Cek Netral over HTTP: verdicts from the classifier's own code, nothing stored, rate-limited."""
from __future__ import annotations

import httpx
import pytest

from shared.schemas import utcnow
from tests.unit.notify.conftest import make_alert

from services.notify.routers.check import RateLimiter

from .helpers import api_server, make_key

pytestmark = pytest.mark.integration


async def stored_review(db, external_id: str, nip: str) -> str:
    alert = make_alert(external_id=external_id, nip=nip)
    cid = alert.content.content_id
    record = {"source": "instagram", "external_id": external_id, "text": "Ayo coblos nomor 2! #PrabowoGibran2024",
              "author": {"display_name": "Sri Wahyuningsih"}}
    await db["content"].insert_one({"_id": cid, "record": record, "evidence_sha256": "cd" * 32})
    await db["classifications"].insert_one({"_id": cid, **alert.classification.model_dump(mode="json"),
                                            "classified_at": utcnow()})
    review = {**alert.match.model_dump(mode="json"), "band": "review", "score": 0.62, "author_key": "name:sri wahyuningsih",
              "explanation": [{"feature": "name_similarity", "score": 0.6, "detail": "nama mirip"},
                              {"feature": "name_frequency", "score": 0.2, "detail": "nama ini dimiliki ±4 ASN",
                               "candidate_value": "4"}]}
    await db["matches"].insert_one({"_id": cid, "matches": [review], "registry_version": "reg-1", "matched_at": utcnow()})
    return f"rv_{cid}_{nip}"


async def test_review_queue_accept_opens_a_case_and_reject_records_a_judgement(db, notify_setup):
    accept_id = await stored_review(db, "rv-1", "198503122010012004")
    reject_id = await stored_review(db, "rv-2", "199001012015031001")
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        analyst = {"Authorization": f"Bearer {await make_key(db, 'BKN', 'analyst', 'analis-1')}"}
        rows = (await http.get("/v1/reviews", headers=analyst)).json()["items"]
        assert {r["review_id"] for r in rows} == {accept_id, reject_id}
        assert all(r["name_frequency_text"] == "nama ini dimiliki ±4 ASN" for r in rows)
        assert all(r["excerpt"].startswith("Ayo coblos nomor 2!") for r in rows)  # the post, from content
        r = await http.post(f"/v1/reviews/{accept_id}/accept", json={"reason": "foto profil dan unit cocok"}, headers=analyst)
        assert r.status_code == 200, r.text
        case_id = r.json()["case_id"]
        case = (await http.get(f"/v1/cases/{case_id}", headers=analyst)).json()
        assert case["status"] == "new" and case["match"]["explanation"][-1]["feature"] == "analyst_review"
        assert await db["notify_work"].find_one({"_id": f"route:{case_id}"})  # the dispatcher will route it
        again = await http.post(f"/v1/reviews/{accept_id}/accept", json={"reason": "lagi"}, headers=analyst)
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
        r = await http.post(f"/v1/reviews/{reject_id}/reject", json={"reason": "orang lain"}, headers=analyst)
        assert r.json()["status"] == "not_this_person"
        judgement = await db["judgements"].find_one({"_id": "199001012015031001|name:sri wahyuningsih"})
        assert judgement["verdict"] == "not_this_person"
        assert (await http.get("/v1/reviews", headers=analyst)).json()["items"] == []
        # the match service's future layout is read first when it exists
        await db["review_candidates"].insert_one({"_id": "rc_1", "content_id": "c", "nip": "1", "excerpt": "x",
                                                  "subject": {"name": "A"}, "explanation": [], "name_frequency": 9,
                                                  "status": "open"})
        rows = (await http.get("/v1/reviews", headers=analyst)).json()["items"]
        assert [r["review_id"] for r in rows] == ["rc_1"] and rows[0]["name_frequency_text"] == "nama ini dimiliki ±9 ASN"


async def test_cek_netral_answers_from_the_classifier_and_stores_nothing(db, notify_setup):
    async with api_server(db, notify_setup["config"], check_limiter=RateLimiter(per_minute=3)) as base, \
            httpx.AsyncClient(base_url=base) as http:
        before = sorted(await db.list_collection_names())
        counts = {n: await db[n].count_documents({}) for n in before}
        partisan = await http.post("/v1/check", json={"text": "Ayo coblos nomor 2! #PrabowoGibran2024"})
        body = partisan.json()
        assert body["verdict"] == "melanggar" and body["forms"][0]["form"] == "social_media_campaign"
        assert "#PrabowoGibran2024" in {e["text"] for e in body["evidence"]} and body["stored"] is False
        assert "Hapus" in body["advice"]
        neutral = await http.post("/v1/check", json={"text": "Rapat koordinasi pelayanan publik pukul 09.00."})
        assert neutral.json()["verdict"] == "aman" and neutral.json()["forms"] == []
        media = await http.post("/v1/check", json={"text": "", "media": [{"type": "image", "ocr_text": "COBLOS NOMOR 2"}]})
        assert media.status_code == 200 and media.json()["verdict"] != "aman"
        limited = await http.post("/v1/check", json={"text": "x"})
        assert limited.status_code == 429 and "Retry-After" in limited.headers
        # nothing of the drafts is kept: the only new documents are audit lines without a body
        assert set(await db.list_collection_names()) - set(before) <= {"audit"}
        assert {n: await db[n].count_documents({}) for n in before if n != "audit"} == {
            n: c for n, c in counts.items() if n != "audit"}
        audit = await db["audit"].find({"path": "/v1/check"}).to_list(None)
        assert len(audit) == 4 and not any("coblos" in str(a).lower() for a in audit)
