"""Figures and operations: ``/v1/stats``, health and metrics (delivery failures: ``notify_failures``)."""
from __future__ import annotations


from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.agency_api.auth import Principal
from services.agency_api.application import cases as use
from services.agency_api.application.cases import CaseQuery
from services.agency_api.routers.cases import case_query
from services.agency_api.routers.common import ERRORS, context_of, principal
from shared import metrics

router = APIRouter()


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
