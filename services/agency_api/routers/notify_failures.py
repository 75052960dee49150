"""Operator endpoints for failed notifications, as an ``APIRouter`` the agency API includes:

    from services.agency_api.routers.notify_failures import notify_failures_router
    app.include_router(notify_failures_router(principal, lambda: store().db))

``GET /v1/notify/failures`` (analysts and admins) lists dead-lettered notifications, newest first;
``POST /v1/notify/failures/{id}/resend`` puts one back in the dispatcher's queue (same body, same
Idempotency-Key, fresh retry budget). Both are audited by the API's middleware; the resend also
writes a ``notification.resent`` audit record naming the key that asked.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, ConfigDict

from services.notify.resend import ResendError, list_failures, resend_failure
from shared.schemas import utcnow


class FailureOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    kind: str = "delivery"
    outcome: Optional[str] = None
    reason: str = ""
    integration: Optional[str] = None
    receiver: Optional[str] = None
    created_at: Optional[datetime] = None
    resent_at: Optional[datetime] = None
    resend_count: int = 0


class FailuresOut(BaseModel):
    items: list[FailureOut]


class ResendOut(BaseModel):
    id: str
    integration: str
    receiver: str
    previous_state: str
    state: str
    resend_count: int


def notify_failures_router(principal: Callable[..., Any], database: Callable[[], Any]) -> APIRouter:
    router = APIRouter(prefix="/v1/notify", tags=["notify"])

    def operator(p=Depends(principal)):
        if p.role not in ("analyst", "admin"):
            raise HTTPException(403, "only analysts and admins see and resend delivery failures")
        return p

    @router.get("/failures", response_model=FailuresOut, summary="Dead-lettered notifications (operators)")
    async def failures(p=Depends(operator), limit: int = Query(default=100, ge=1, le=1000),
                       since: Optional[datetime] = Query(default=None, description="only failures from this time on")):
        return {"items": await list_failures(database(), since=since, limit=limit)}

    @router.post("/failures/{failure_id}/resend", response_model=ResendOut, status_code=202,
                 summary="Queue a failed notification again (same body and key, fresh retry budget)")
    async def resend(failure_id: str, p=Depends(operator)):
        try:
            done = await resend_failure(database(), failure_id, f"api:{p.key_id}", utcnow())
        except ResendError as exc:
            raise HTTPException(exc.status, exc.message) from None
        return done.as_dict()

    return router
