"""``/v1/reviews``: the review-candidate queue for analysts (``services.agency_api.application.reviews``)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.agency_api.application import reviews as use
from services.agency_api.auth import Principal
from services.agency_api.routers.common import ERRORS, context_of, jsonable, principal

router = APIRouter(tags=["reviews"])


class ReviewDecisionIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


@router.get("/v1/reviews", responses=ERRORS, summary="Review-band candidates awaiting an analyst")
async def list_reviews(request: Request, p: Principal = Depends(principal)):
    return {"items": jsonable(await use.open_reviews(context_of(request), p))}


@router.post("/v1/reviews/{review_id}/accept", responses=ERRORS, summary="The candidate is this person: open a case")
async def accept(review_id: str, body: ReviewDecisionIn, request: Request, p: Principal = Depends(principal)):
    return await use.accept(context_of(request), p, review_id, body.reason)


@router.post("/v1/reviews/{review_id}/reject", responses=ERRORS, summary="Not this person: remember the judgement")
async def reject(review_id: str, body: ReviewDecisionIn, request: Request, p: Principal = Depends(principal)):
    return await use.reject(context_of(request), p, review_id, body.reason)
