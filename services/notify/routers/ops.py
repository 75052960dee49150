"""Operations and figures: delivery failures, ``/v1/stats``, health and metrics."""
from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.notify.auth import Principal
from services.notify.routers.cases import case_query
from services.notify.routers.common import (
    ERRORS, ApiError, CaseQuery, jsonable, principal, select_cases, store_of,
)
from shared import metrics

router = APIRouter()


@router.get("/v1/notify/failures", responses=ERRORS, summary="Dead-lettered notifications (operators)", tags=["ops"])
async def failures(request: Request, p: Principal = Depends(principal), limit: int = Query(default=100)):
    if p.role not in ("analyst", "admin"):
        raise ApiError(403, "forbidden", "only analysts and admins see delivery failures")
    rows = await store_of(request).recent_failures(max(1, min(1000, limit)))
    return jsonable({"items": [{"id": r.pop("_id"), **r} for r in rows]})


def week_of(value) -> str:
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}"


def stats_of(rows) -> dict[str, Any]:
    """Counts per agency, form, contestant and ISO week (pure; the desk draws them)."""
    by_agency, by_form, by_contestant, by_week, by_status = Counter(), Counter(), Counter(), Counter(), Counter()
    for doc, alert in rows:
        by_agency[doc["agency_code"]] += 1
        by_form[doc.get("form") or "none"] += 1
        by_status[doc["status"]] += 1
        if doc.get("created_at") is not None:
            by_week[week_of(doc["created_at"])] += 1
        for c in sorted({s.contestant for s in alert.classification.stance}) if alert else []:
            by_contestant[c] += 1
    return {"total": len(rows), "by_agency": dict(by_agency.most_common()), "by_form": dict(by_form.most_common()),
            "by_contestant": dict(by_contestant.most_common()), "by_status": dict(by_status.most_common()),
            "by_week": dict(sorted(by_week.items()))}


@router.get("/v1/stats", responses=ERRORS, summary="Case counts per agency, form, contestant and week", tags=["cases"])
async def stats(request: Request, p: Principal = Depends(principal), cq: CaseQuery = Depends(case_query)):
    rows, _ = await select_cases(store_of(request), p, cq, with_alerts=True)
    return stats_of(rows)


@router.get("/healthz", include_in_schema=False)
async def healthz():
    return {"ok": True}


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics():
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
