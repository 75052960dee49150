"""The review-candidate queue on the real store, its documents written by match's own writer and the post by
ingest's and classify's: accept opens a case, reject records "not this person"; and Cek Netral over HTTP:
verdicts from the classifier's own code, nothing stored, rate-limited."""
from __future__ import annotations

import httpx
import pytest

from shared.judgements import load_judgements
from services.notify.store import NotifyStore
from shared.schemas import Author, ContentRecord, FeatureExplanation, alert_id_for, utcnow
from shared.stored import ReviewCandidate
from tests.unit.notify.conftest import make_alert

from services.agency_api.routers.check import RateLimiter

from .helpers import api_server, make_key, put_post

pytestmark = pytest.mark.integration


async def stored_review(db, external_id: str, nip: str) -> str:
    alert = make_alert(external_id=external_id, nip=nip)
    record = ContentRecord(source="instagram", external_id=external_id, text="Ayo coblos nomor 2! #PrabowoGibran2024",
                           media=[{"type": "image", "caption": "Salam dua jari"}],
                           author=Author(display_name="Sri Wahyuningsih"))
    item = await put_post(db, record, alert.classification)
    review = alert.match.model_copy(update={
        "band": "review", "score": 0.62, "author_key": "name:sri wahyuningsih",
        "explanation": [FeatureExplanation(feature="name_similarity", score=0.6, detail="nama mirip")]})
    candidate = ReviewCandidate.of(item, review, 4, "reg-1", utcnow())
    await db[ReviewCandidate.COLLECTION].insert_one(candidate.document())
    return candidate.review_id


async def test_review_queue_accept_opens_a_case_and_reject_records_a_judgement(db, notify_setup):
    accept_id = await stored_review(db, "rv-1", "198503122010012004")
    reject_id = await stored_review(db, "rv-2", "199001012015031001")
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        analyst = {"Authorization": f"Bearer {await make_key(db, 'BKN', 'analyst', 'analis-1')}"}
        rows = (await http.get("/v1/reviews", headers=analyst)).json()["items"]
        assert {r["review_id"] for r in rows} == {accept_id, reject_id}
        assert all(r["name_frequency_text"] == "nama ini dimiliki ±4 ASN" for r in rows)
        assert all(r["excerpt"].startswith("Ayo coblos nomor 2!") for r in rows)
        r = await http.post(f"/v1/reviews/{accept_id}/accept", json={"reason": "foto profil dan unit cocok"}, headers=analyst)
        assert r.status_code == 200, r.text
        case_id = r.json()["case_id"]
        case = (await http.get(f"/v1/cases/{case_id}", headers=analyst)).json()
        assert case["status"] == "new" and case["match"]["explanation"][-1]["feature"] == "analyst_review"
        assert case["content"]["excerpt"].startswith("Ayo coblos nomor 2!")  # the post itself, from its raw bytes
        assert await db["notify_work"].find_one({"_id": f"route:{case_id}"})  # the dispatcher will route it
        again = await http.post(f"/v1/reviews/{accept_id}/accept", json={"reason": "lagi"}, headers=analyst)
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
        r = await http.post(f"/v1/reviews/{reject_id}/reject", json={"reason": "orang lain"}, headers=analyst)
        assert r.json()["status"] == "not_this_person"
        assert ("199001012015031001", "name:sri wahyuningsih") in await load_judgements(db)  # what match reads
        assert (await http.get("/v1/reviews", headers=analyst)).json()["items"] == []


async def test_an_accept_cut_off_after_its_decision_is_finished_by_accepting_again(db, notify_setup):
    review_id = await stored_review(db, "rv-3", "198811022014021001")
    store = NotifyStore(db)
    review = await store.reviews.get(review_id)
    case_id = alert_id_for(review.candidate.nip, review.candidate.content_id)
    # what a crash right after the decision leaves: accepted, but no alert and no case
    assert await store.reviews.decide(review_id, "accepted", "analis-1", "cocok", utcnow(), case_id)
    async with api_server(db, notify_setup["config"]) as base, httpx.AsyncClient(base_url=base) as http:
        analyst = {"Authorization": f"Bearer {await make_key(db, 'BKN', 'analyst', 'analis-1')}"}
        r = await http.post(f"/v1/reviews/{review_id}/accept", json={"reason": "cocok"}, headers=analyst)
        assert r.status_code == 200 and r.json()["case_id"] == case_id, r.text
        assert await store.get_case_doc(case_id) is not None
        again = await http.post(f"/v1/reviews/{review_id}/accept", json={"reason": "lagi"}, headers=analyst)
        assert again.status_code == 409


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
