"""``/v1/cases``: list, export, one case, and the workflow actions (verify, reject, acknowledge,
status, assign, notes). Agencies see only their own forwarded cases; another agency's answers 404."""
from __future__ import annotations

import csv
import io
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.agency_api.application import cases as use
from services.agency_api.application.cases import CaseQuery, case_view
from services.agency_api.auth import Principal
from services.notify.domain import cases as wf
from services.notify.domain.cases import SanctionRecord
from services.agency_api.routers.common import (
    ERRORS, clamp_limit, clamp_offset, context_of, jsonable, parse_since, principal, store_of,
)
from services.agency_api.application.examples import Ground
from shared.schemas import Polarity, ViolationForm, utcnow

router = APIRouter(tags=["cases"])


class ReasonIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class RejectIn(ReasonIn):
    wrong_person: bool = Field(
        default=False,
        description="the post is not by this civil servant: remember it, so the match service never "
                    "pairs this author with this NIP again (the same as ground \"not_this_person\")",
    )
    ground: Ground | None = Field(
        default=None,
        description="what was wrong: not_partisan (the post becomes a negative example for the classifier), "
                    "not_this_person (a matching error: teaches the classifier nothing), not_proven (default)",
    )


class StanceIn(BaseModel):
    contestant: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9\-]*$")
    polarity: Polarity


class VerifyIn(ReasonIn):
    stance: list[StanceIn] | None = Field(
        default=None, max_length=10,
        description="the stance as the analyst confirms it (default: the classifier's); required when the "
                    "classifier did not find the post partisan (a public report)")
    form: ViolationForm | None = Field(default=None, description="the SKB form as confirmed (default: the classifier's)")


class AcknowledgeIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class StatusIn(BaseModel):
    status: Literal["verified", "forwarded", "acknowledged", "closed_proven", "closed_not_proven"]
    reason: str = Field(default="", max_length=2000)
    sanction: SanctionRecord | None = None


class AssignIn(BaseModel):
    analyst: str = Field(min_length=1, max_length=200, description="who works the case (label of an analyst)")


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


def case_query(
    status: wf.CaseStatus | None = None,
    form: str | None = Query(default=None, max_length=100),
    since: str | None = Query(default=None, description="created at or after (ISO-8601 with offset)"),
    until: str | None = Query(default=None, description="created before (ISO-8601 with offset)"),
    escalated: bool | None = None,
    agency: str | None = Query(default=None, max_length=100, description="analysts: one agency's cases"),
    region: str | None = Query(default=None, max_length=20, description="province or regency code"),
    contestant: str | None = Query(default=None, max_length=100),
    severity: str | None = Query(default=None, max_length=50),
    q: str | None = Query(default=None, max_length=200, description="words in the post, name or evidence"),
    assigned_to: str | None = Query(default=None, max_length=200),
) -> CaseQuery:
    return CaseQuery(status=status, form=form, since=parse_since(since), until=parse_since(until, "until"),
                     escalated=escalated, agency_code=agency or None, region=region, contestant=contestant, severity=severity,
                     q=q, assigned_to=assigned_to)


@router.get("/v1/cases", responses=ERRORS, summary="List the caller's cases")
async def list_cases(
    request: Request,
    p: Principal = Depends(principal),
    cq: CaseQuery = Depends(case_query),
    limit: int = Query(default=50, description="clamped to 1..200"),
    offset: int = Query(default=0, description="clamped to 0..1,000,000"),
):
    limit, offset = clamp_limit(limit), clamp_offset(offset)
    rows, more = await use.select_cases(store_of(request), p, cq, offset, limit)
    return jsonable({"items": [case_view(d) for d, _ in rows], "offset": offset, "limit": limit,
                     "next_offset": offset + limit if more else None})


@router.get("/v1/cases/export", responses=ERRORS, summary="The caller's cases as CSV or XLSX (same filters as the list)",
            response_class=Response)
async def export_cases(
    request: Request,
    format: Literal["csv", "xlsx"] = "csv",
    p: Principal = Depends(principal),
    cq: CaseQuery = Depends(case_query),
):
    table = await use.export_table(context_of(request), p, cq)
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(use.EXPORT_COLUMNS)
        writer.writerows(table)
        return Response(buf.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="kasus-{stamp}.csv"'})
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("kasus")
    ws.append(use.EXPORT_COLUMNS)
    for row in table:
        ws.append([str(v) if not isinstance(v, (int, float, bool)) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="kasus-{stamp}.xlsx"'})


@router.get("/v1/cases/{case_id}", responses=ERRORS, summary="One case with its evidence and history")
async def get_case(case_id: str, request: Request, p: Principal = Depends(principal)):
    return jsonable(await use.detail(context_of(request), p, case_id))


@router.post("/v1/cases/{case_id}/verify", responses=ERRORS, summary="Analyst confirms the suspicion")
async def verify(case_id: str, body: VerifyIn, request: Request, p: Principal = Depends(principal)):
    stance = [(s.contestant, s.polarity) for s in body.stance] if body.stance else None
    form = None if body.form in (None, "none") else body.form
    return jsonable(await use.verify(context_of(request), p, case_id, body.reason, stance, form))


@router.post("/v1/cases/{case_id}/reject", responses=ERRORS, summary="Analyst rejects (closed as not proven)")
async def reject(case_id: str, body: RejectIn, request: Request, p: Principal = Depends(principal)):
    return jsonable(await use.reject(context_of(request), p, case_id, body.reason, body.wrong_person, body.ground))


@router.post("/v1/cases/{case_id}/acknowledge", responses=ERRORS, summary="The agency confirms receipt")
async def acknowledge(case_id: str, request: Request, body: AcknowledgeIn | None = None,
                      p: Principal = Depends(principal)):
    return jsonable(await use.transition(context_of(request), p, case_id, "acknowledge", body.note if body else ""))


@router.post("/v1/cases/{case_id}/status", responses=ERRORS, summary="Move the case through its workflow")
async def set_status(case_id: str, body: StatusIn, request: Request, p: Principal = Depends(principal)):
    return jsonable(await use.transition(context_of(request), p, case_id, wf.ACTION_FOR_STATUS[body.status],
                                         body.reason, body.sanction))


@router.post("/v1/cases/{case_id}/assign", responses=ERRORS, summary="Analysts: assign a case to an analyst")
async def assign(case_id: str, body: AssignIn, request: Request, p: Principal = Depends(principal)):
    return jsonable(await use.assign(context_of(request), p, case_id, body.analyst))


@router.post("/v1/cases/{case_id}/notes", responses=ERRORS, summary="Attach a note to a case")
async def add_note(case_id: str, body: NoteIn, request: Request, p: Principal = Depends(principal)):
    return jsonable(await use.add_note(context_of(request), p, case_id, body.note))
