"""Operations and figures: delivery failures, ``/v1/stats``, health and metrics."""
from __future__ import annotations


from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.agency_api.auth import Principal
from services.agency_api.application import cases as use
from services.agency_api.application.cases import CaseQuery
from services.agency_api.routers.cases import case_query
from services.agency_api.routers.common import ERRORS, ApiError, context_of, jsonable, principal, store_of
from shared import metrics

router = APIRouter()


@router.get("/v1/notify/failures", responses=ERRORS, summary="Dead-lettered notifications (operators)", tags=["ops"])
async def failures(request: Request, p: Principal = Depends(principal), limit: int = Query(default=100)):
    if p.role not in ("analyst", "admin"):
        raise ApiError(403, "forbidden", "only analysts and admins see delivery failures")
    rows = await store_of(request).recent_failures(max(1, min(1000, limit)))
    return jsonable({"items": [{"id": r.pop("_id"), **r} for r in rows]})


@router.get("/v1/stats", responses=ERRORS, summary="Case counts per agency, form, contestant and week", tags=["cases"])
async def stats(request: Request, p: Principal = Depends(principal), cq: CaseQuery = Depends(case_query)):
    return await use.stats(context_of(request), p, cq)


@router.get("/healthz", include_in_schema=False)
async def healthz():
    return {"ok": True}


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics():
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
