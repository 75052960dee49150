"""``/v1/reviews``: review-band match candidates for analysts. Accepting one opens a case (an alert
with the candidate as the ``match``, marked as decided by an analyst); rejecting one records the
"not this person" judgement, so the match service never proposes that pairing again."""
from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.notify.auth import Principal
from services.notify.routers.common import ERRORS, ApiError, actor, config_of, jsonable, principal, store_of
from services.notify.store import NotifyStore, Review
from shared.judgements import record_judgement
from shared.logging import log_event
from shared.schemas import ContentMatched, utcnow

log = logging.getLogger("pantau.notify.api")
router = APIRouter(tags=["reviews"])


class ReviewDecisionIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


def require_analyst(p: Principal) -> None:
    if not p.sees_all_agencies():
        raise ApiError(403, "forbidden", "only analysts and admins decide review candidates")


def frequency_text(freq) -> str:
    if freq in (None, ""):
        return "frekuensi nama tidak diketahui"
    return f"nama ini dimiliki ±{freq} ASN" if str(freq).isdigit() else str(freq)


def review_view(r: dict) -> dict:
    return jsonable({**r, "name_frequency_text": frequency_text(r.get("name_frequency"))})


@router.get("/v1/reviews", responses=ERRORS, summary="Review-band candidates awaiting an analyst")
async def list_reviews(request: Request, p: Principal = Depends(principal)):
    require_analyst(p)
    return {"items": [review_view(r) for r in await store_of(request).reviews.list()]}


async def load_open(store: NotifyStore, review_id: str) -> Review:
    review = await store.reviews.get(review_id)
    if review is None:
        raise ApiError(404, "not_found", f"review {review_id} not found", "review_id")
    if review.status != "open":
        raise ApiError(409, "already_decided", f"review {review_id} was already decided ({review.status})", "review_id")
    return review


async def accept_review(request: Request, review_id: str, p: Principal, reason: str) -> dict:
    """The candidate becomes a case: an alert built by notify's own alert code, then its case."""
    from services.notify.alerts import alerts_for

    store = store_of(request)
    candidate = (await load_open(store, review_id)).candidate
    content = await store.stored_content(candidate.content_id)
    classification = await store.stored_classification(candidate.content_id)
    if content is None or classification is None or candidate.subject is None:
        raise ApiError(409, "content_missing", "the post or its classification is no longer stored", "review_id")
    item = ContentMatched(
        content_id=candidate.content_id, evidence_sha256=content.evidence_sha256, record=content.record(),
        classification=classification.classification(), matches=[candidate.match(actor(p), reason)],
        registry_version=candidate.registry_version)
    now = utcnow()
    alerts = alerts_for(item, now, config_of(request), request.app.state.public_url)
    if not alerts:
        raise ApiError(409, "no_alert", "the candidate has no registry subject", "review_id")
    alert = alerts[0]
    if not await store.reviews.decide(review_id, "accepted", actor(p), reason, now, alert.alert_id):
        raise ApiError(409, "already_decided", f"review {review_id} was already decided", "review_id")
    await store.insert_alert(alert, source="review")
    await store.ensure_case(alert, now)
    log_event(log, "review accepted: case opened", review_id=review_id, case_id=alert.alert_id)
    return {"review_id": review_id, "status": "accepted", "case_id": alert.alert_id}


async def reject_review(request: Request, review_id: str, p: Principal, reason: str) -> dict:
    store = store_of(request)
    candidate = (await load_open(store, review_id)).candidate
    if not await store.reviews.decide(review_id, "not_this_person", actor(p), reason, utcnow()):
        raise ApiError(409, "already_decided", f"review {review_id} was already decided", "review_id")
    if candidate.author_key:
        await record_judgement(store.db, candidate.nip, candidate.author_key, reviewer=actor(p), reason=reason)
    log_event(log, "review rejected: not this person", review_id=review_id)
    return {"review_id": review_id, "status": "not_this_person"}


@router.post("/v1/reviews/{review_id}/accept", responses=ERRORS, summary="The candidate is this person: open a case")
async def accept(review_id: str, body: ReviewDecisionIn, request: Request, p: Principal = Depends(principal)):
    require_analyst(p)
    return await accept_review(request, review_id, p, body.reason)


@router.post("/v1/reviews/{review_id}/reject", responses=ERRORS, summary="Not this person: remember the judgement")
async def reject(review_id: str, body: ReviewDecisionIn, request: Request, p: Principal = Depends(principal)):
    require_analyst(p)
    return await reject_review(request, review_id, p, body.reason)
