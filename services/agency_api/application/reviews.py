"""The review-candidate queue: the matcher's review-band (post, person) pairs, for analysts only.
Accepting one opens a case (an alert built by notify's own alert code, the candidate as its confirmed
match); rejecting one keeps the "not this person" judgement, so the matcher never proposes it again."""
from __future__ import annotations

import logging

from services.agency_api.application.cases import actor, require_analyst
from services.agency_api.application.context import WebContext
from services.agency_api.application.errors import UseCaseError
from services.agency_api.auth import Principal
from services.notify.store import Review
from shared.judgements import record_judgement
from shared.logging import log_event
from shared.schemas import ContentMatched, utcnow
from shared.stored import holders_text

log = logging.getLogger("pantau.agency_api")


async def open_reviews(ctx: WebContext, p: Principal) -> list[dict]:
    """Open candidates, oldest first, each with how common its name is, in words."""
    require_analyst(p, "see review candidates")
    return [{**r, "name_frequency_text": holders_text(r.get("name_frequency"))} for r in await ctx.store.reviews.list()]


async def _review(ctx: WebContext, p: Principal, review_id: str) -> Review:
    require_analyst(p)
    review = await ctx.store.reviews.get(review_id)
    if review is None:
        raise UseCaseError("not_found", "not_found", f"review {review_id} not found", "review_id")
    return review


def _already_decided(review_id: str, status: str) -> UseCaseError:
    return UseCaseError("conflict", "already_decided", f"review {review_id} was already decided ({status})", "review_id")


async def _open(ctx: WebContext, p: Principal, review_id: str) -> Review:
    review = await _review(ctx, p, review_id)
    if review.status != "open":
        raise _already_decided(review_id, review.status)
    return review


async def accept(ctx: WebContext, p: Principal, review_id: str, reason: str) -> dict:
    """The decision is recorded first (two analysts cannot both decide), then the alert and the case; an
    accept cut off between the two is finished by accepting again (alert and case ids are deterministic)."""
    from services.notify.alerts import alerts_for

    store = ctx.store
    review = await _review(ctx, p, review_id)
    decided_case = (review.decision or {}).get("case_id") if review.status == "accepted" else None
    if review.status != "open" and not (decided_case and await store.get_case_doc(decided_case) is None):
        raise _already_decided(review_id, review.status)
    candidate = review.candidate
    content = await store.stored_content(candidate.content_id)
    classification = content.classified_as() if content is not None else None
    if content is None or classification is None or candidate.subject is None:
        raise UseCaseError("conflict", "content_missing", "the post or its classification is no longer stored",
                           "review_id")
    item = ContentMatched(
        content_id=candidate.content_id, evidence_sha256=content.evidence_sha256, record=content.record(),
        classification=classification, matches=[candidate.match(actor(p), reason)],
        registry_version=candidate.registry_version)
    now = utcnow()
    alerts = alerts_for(item, now, ctx.config, ctx.public_url)
    if not alerts:
        raise UseCaseError("conflict", "no_alert", "the candidate has no registry subject", "review_id")
    alert = alerts[0]
    if not decided_case and not await store.reviews.decide(review_id, "accepted", actor(p), reason, now, alert.alert_id):
        raise _already_decided(review_id, "accepted")
    await store.insert_alert(alert, source="review")
    await store.ensure_case(alert, now)
    log_event(log, "review accepted: case opened", review_id=review_id, case_id=alert.alert_id)
    return {"review_id": review_id, "status": "accepted", "case_id": alert.alert_id}


async def reject(ctx: WebContext, p: Principal, review_id: str, reason: str) -> dict:
    candidate = (await _open(ctx, p, review_id)).candidate
    if not await ctx.store.reviews.decide(review_id, "not_this_person", actor(p), reason, utcnow()):
        raise _already_decided(review_id, "by someone else")
    if candidate.author_key:
        await record_judgement(ctx.store.db, candidate.nip, candidate.author_key, reviewer=actor(p), reason=reason)
    log_event(log, "review rejected: not this person", review_id=review_id)
    return {"review_id": review_id, "status": "not_this_person"}
