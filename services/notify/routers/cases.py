"""``/v1/cases``: list, export, one case, and the workflow actions (verify, reject, acknowledge,
status, assign, notes). Agencies see only their own forwarded cases; another agency's answers 404."""
from __future__ import annotations

import csv
import io
import logging
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.notify.auth import Principal
from services.notify.domain import cases as wf
from services.notify.domain.cases import SanctionRecord, TransitionError
from services.notify.domain.severity import SanctionTable
from services.notify.routers.common import (
    ERRORS, ApiError, CaseQuery, actor, case_view, clamp_limit, clamp_offset, config_of, escalation_deadline,
    jsonable, parse_since, principal, scope_for, select_cases, store_of,
)
from services.notify.store import NotifyStore
from shared.judgements import record_judgement
from shared.logging import log_event
from shared.schemas import utcnow

log = logging.getLogger("pantau.notify.api")
router = APIRouter(tags=["cases"])


class ReasonIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class RejectIn(ReasonIn):
    wrong_person: bool = Field(
        default=False,
        description="the post is not by this civil servant: remember it, so the match service never "
                    "pairs this author with this NIP again",
    )


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
                     escalated=escalated, agency_code=agency, region=region, contestant=contestant, severity=severity,
                     q=q, assigned_to=assigned_to)


async def load_case(store: NotifyStore, case_id: str, p: Principal) -> dict:
    doc = await store.find_case(case_id, scope_for(p))
    if doc is None:
        raise ApiError(404, "not_found", f"case {case_id} not found", "case_id")
    return doc


async def do_transition(store: NotifyStore, case_id: str, p: Principal, action: str, reason: str = "",
                        sanction: SanctionRecord | None = None) -> dict:
    """Apply one workflow action for the caller (API and desk alike); the case's detail view."""
    doc = await load_case(store, case_id, p)
    case = store.case_from(doc)
    try:
        after = wf.apply(case, action, actor=actor(p), role=p.role, now=utcnow(), reason=reason, sanction=sanction)
    except TransitionError as exc:
        status = 403 if exc.code == "forbidden_transition" else 422 if exc.code in (
            "reason_required", "sanction_required", "unexpected_sanction") else 409
        raise ApiError(status, exc.code, exc.message, exc.field)
    if not await store.save_case(after, doc.get("version", 0)):
        raise ApiError(409, "conflict", "the case changed meanwhile; read it again and retry")
    return jsonable(case_view(await store.get_case_doc(case_id), detail=True))


async def do_reject(store: NotifyStore, case_id: str, p: Principal, reason: str, wrong_person: bool) -> dict:
    result = await do_transition(store, case_id, p, "reject", reason)
    alert = await store.get_alert(case_id) if wrong_person else None
    if alert is not None and alert.match.author_key:
        await record_judgement(store.db, alert.subject.nip, alert.match.author_key, reviewer=actor(p), reason=reason)
        log_event(log, "judgement recorded: not this person", case_id=case_id)
    return result


async def case_detail(request: Request, case_id: str, p: Principal) -> dict[str, Any]:
    store, cfg = store_of(request), config_of(request)
    doc = await load_case(store, case_id, p)
    alert = await store.get_alert(case_id)
    out = case_view(doc, detail=True)
    out["allowed_actions"] = wf.allowed_actions(store.case_from(doc), p.role)
    out["notes"] = doc.get("notes", [])
    out["escalation_deadline"] = escalation_deadline(doc, cfg.escalate_after)
    if alert is not None:
        from services.notify.domain.summary import alert_summary

        sanction = cfg.sanctions.for_form(alert.classification.form)
        event = "forwarded" if doc.get("forwarded_at") else "suspected"
        out["summary"] = alert_summary(alert, sanction, cfg.contestant_names, event)
        out["subject"] = alert.subject.model_dump(mode="json")
        out["content"] = alert.content.model_dump(mode="json")
        out["classification"] = alert.classification.model_dump(mode="json")
        out["match"] = {**alert.match.model_dump(mode="json", exclude={"subject"}),
                        "registry_version": alert.registry_version}
        out["sanction_reference"] = sanction.model_dump(mode="json")
    notes = await store.log_for_case(case_id)
    if not p.sees_all_agencies():
        notes = [n for n in notes if n["integration"].startswith(("employing-agency",))]
    out["notifications"] = [{"notification_id": n["_id"], **{k: v for k, v in n.items() if k != "_id"}} for n in notes]
    return out


@router.get("/v1/cases", responses=ERRORS, summary="List the caller's cases")
async def list_cases(
    request: Request,
    p: Principal = Depends(principal),
    cq: CaseQuery = Depends(case_query),
    limit: int = Query(default=50, description="clamped to 1..200"),
    offset: int = Query(default=0, description="clamped to 0..1,000,000"),
):
    limit, offset = clamp_limit(limit), clamp_offset(offset)
    rows, more = await select_cases(store_of(request), p, cq, offset, limit)
    return jsonable({"items": [case_view(d) for d, _ in rows], "offset": offset, "limit": limit,
                     "next_offset": offset + limit if more else None})


EXPORT_COLUMNS = ["case_id", "agency_code", "status", "status_label", "form", "form_label", "severity", "escalated",
                  "created_at", "verified_at", "forwarded_at", "acknowledged_at", "closed_at", "nip", "name",
                  "source", "url", "excerpt", "sanction_discipline", "sanction_decree"]


def export_row(doc: dict, alert, sanctions: SanctionTable) -> list[Any]:
    view = case_view(doc)
    sanction = doc.get("sanction") or {}
    values = {**view, "form_label": sanctions.label(view["form"]), "nip": alert.subject.nip if alert else doc.get("nip", ""),
              "name": alert.subject.name if alert else "", "source": alert.content.source if alert else "",
              "url": alert.content.url or "" if alert else "", "excerpt": alert.content.excerpt if alert else "",
              "sanction_discipline": sanction.get("discipline", ""), "sanction_decree": sanction.get("decree_number") or ""}
    out = []
    for col in EXPORT_COLUMNS:
        v = values.get(col)
        out.append(v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else v))
    return out


@router.get("/v1/cases/export", responses=ERRORS, summary="The caller's cases as CSV or XLSX (same filters as the list)",
            response_class=Response)
async def export_cases(
    request: Request,
    format: Literal["csv", "xlsx"] = "csv",
    p: Principal = Depends(principal),
    cq: CaseQuery = Depends(case_query),
):
    rows, _ = await select_cases(store_of(request), p, cq, with_alerts=True)
    sanctions = config_of(request).sanctions
    table = [export_row(d, a, sanctions) for d, a in rows]
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    if format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(table)
        return Response(buf.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="kasus-{stamp}.csv"'})
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("kasus")
    ws.append(EXPORT_COLUMNS)
    for row in table:
        ws.append([str(v) if not isinstance(v, (int, float, bool)) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="kasus-{stamp}.xlsx"'})


@router.get("/v1/cases/{case_id}", responses=ERRORS, summary="One case with its evidence and history")
async def get_case(case_id: str, request: Request, p: Principal = Depends(principal)):
    return jsonable(await case_detail(request, case_id, p))


@router.post("/v1/cases/{case_id}/verify", responses=ERRORS, summary="Analyst confirms the suspicion")
async def verify(case_id: str, body: ReasonIn, request: Request, p: Principal = Depends(principal)):
    return await do_transition(store_of(request), case_id, p, "verify", body.reason)


@router.post("/v1/cases/{case_id}/reject", responses=ERRORS, summary="Analyst rejects (closed as not proven)")
async def reject(case_id: str, body: RejectIn, request: Request, p: Principal = Depends(principal)):
    return await do_reject(store_of(request), case_id, p, body.reason, body.wrong_person)


@router.post("/v1/cases/{case_id}/acknowledge", responses=ERRORS, summary="The agency confirms receipt")
async def acknowledge(case_id: str, request: Request, body: AcknowledgeIn | None = None,
                      p: Principal = Depends(principal)):
    return await do_transition(store_of(request), case_id, p, "acknowledge", body.note if body else "")


@router.post("/v1/cases/{case_id}/status", responses=ERRORS, summary="Move the case through its workflow")
async def set_status(case_id: str, body: StatusIn, request: Request, p: Principal = Depends(principal)):
    return await do_transition(store_of(request), case_id, p, wf.ACTION_FOR_STATUS[body.status], body.reason,
                               body.sanction)


@router.post("/v1/cases/{case_id}/assign", responses=ERRORS, summary="Analysts: assign a case to an analyst")
async def assign(case_id: str, body: AssignIn, request: Request, p: Principal = Depends(principal)):
    if not p.sees_all_agencies():
        raise ApiError(403, "forbidden", "only analysts and admins assign cases")
    store = store_of(request)
    await load_case(store, case_id, p)
    await store.set_case_fields(case_id, {"assigned_to": body.analyst, "assigned_at": utcnow()})
    return jsonable(case_view(await store.get_case_doc(case_id)))


@router.post("/v1/cases/{case_id}/notes", responses=ERRORS, summary="Attach a note to a case")
async def add_note(case_id: str, body: NoteIn, request: Request, p: Principal = Depends(principal)):
    store = store_of(request)
    await load_case(store, case_id, p)
    entry = {"at": utcnow(), "by": actor(p), "role": p.role, "note": body.note}
    await store.add_case_note(case_id, entry)
    return jsonable(entry)
