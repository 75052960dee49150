"""Agency API: each agency reads and works only its own cases (FastAPI; OpenAPI at /openapi.json,
docs at /docs). Runs on http://127.0.0.1:${PANTAU_API_PORT:-8080}:

    python -m services.notify.api

The same process runs the notify dispatcher in the background (``PANTAU_NOTIFY_DISPATCHER=0`` turns
it off, e.g. to run the dispatcher as its own process: ``python -m services.notify.dispatcher``).

Auth: ``Authorization: Bearer pn_...`` or ``X-API-Key: pn_...`` (``pantau agency key create CODE``).
Roles: ``agency`` sees its own agency's cases once they were forwarded to it (unverified suspicions
stay with the analysts); ``analyst`` sees all cases and verifies or rejects them; ``admin`` all.
Another agency's case answers 404, no or a bad key 401, a role that may not act 403, an illegal
transition 409. Errors always have the shape {"error": {"code", "message", "field"}}.
Every request is written to the ``audit`` collection and logged with NIPs masked.
"""
from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AwareDatetime, BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.notify.auth import Principal, lookup
from services.notify.domain import cases as wf
from services.notify.domain.cases import SanctionRecord, TransitionError
from services.notify.domain.config import NotifyConfig, load_notify_config
from services.notify.domain.silences import Silence, validate_new_silence
from services.notify.settings import get_notify_settings
from services.notify.store import NotifyStore
from shared import metrics
from shared.judgements import record_judgement
from shared.logging import log_event
from shared.schemas import utcnow

log = logging.getLogger("pantau.notify.api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status_code=status)


# ---------------------------------------------------------------------- request/response models
class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


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


class SilenceIn(BaseModel):
    matchers: list[str] = Field(min_length=1)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime
    comment: str = Field(min_length=3, max_length=2000)


ERRORS = {s: {"model": ErrorResponse} for s in (401, 403, 404, 409, 422)}


# ---------------------------------------------------------------------- views
def case_view(doc: dict, detail: bool = False) -> dict[str, Any]:
    labels = doc.get("labels") or {}
    out = {
        "case_id": doc["_id"],
        "agency_code": doc["agency_code"],
        "status": doc["status"],
        "status_label": wf.STATUS_ID.get(doc["status"], doc["status"]),
        "form": doc.get("form") or labels.get("form"),
        "severity": labels.get("severity"),
        "escalated": doc.get("escalated", False),
        "created_at": doc.get("created_at"),
        "verified_at": doc.get("verified_at"),
        "forwarded_at": doc.get("forwarded_at"),
        "acknowledged_at": doc.get("acknowledged_at"),
        "closed_at": doc.get("closed_at"),
        "escalated_at": doc.get("escalated_at"),
        "sanction": doc.get("sanction"),
    }
    if detail:
        out["history"] = doc.get("history", [])
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------- app
def create_app(*, config: NotifyConfig | None = None, run_dispatcher: bool | None = None, db=None) -> FastAPI:
    from shared.mongo import connect
    from shared.settings import get_settings

    settings = get_settings()
    if run_dispatcher is None:
        run_dispatcher = get_notify_settings().run_dispatcher
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        cfg = config or load_notify_config()
        client = None
        database = db
        if database is None:
            client, database = connect(settings)
        store = NotifyStore(database)
        await store.ensure_indexes()
        state.update(config=cfg, store=store)
        stop = asyncio.Event()
        task = None
        if run_dispatcher:
            from services.notify.dispatcher import dispatcher_for

            dispatcher = dispatcher_for(store, cfg, settings)
            task = asyncio.create_task(dispatcher.run_forever(get_notify_settings().interval_s, stop))
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
                await dispatcher.close()
            if client is not None:
                await client.close()

    app = FastAPI(
        title="Pantau Netral agency API",
        version="1",
        description=("Suspected ASN neutrality cases for the agencies that must act. Cases are suspicions "
                     "pending human verification, never verdicts."),
        lifespan=lifespan,
    )

    def store() -> NotifyStore:
        return state["store"]

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _error(exc.status, exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path")]
        return _error(422, "validation_error", first.get("msg", "invalid request"), ".".join(loc) or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail))

    @app.middleware("http")
    async def audit(request: Request, call_next):
        started = time.monotonic()
        response = await call_next(request)
        principal: Principal | None = getattr(request.state, "principal", None)
        if request.url.path.startswith("/v1/"):
            record = {
                "at": utcnow(), "method": request.method, "path": request.url.path,
                "query": str(request.url.query), "status": response.status_code,
                "key_id": principal.key_id if principal else None,
                "agency_code": principal.agency_code if principal else None,
                "role": principal.role if principal else None,
                "client": request.client.host if request.client else None,
                "case_id": request.path_params.get("case_id") if hasattr(request, "path_params") else None,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            }
            try:
                await state["store"].audit.insert_one(dict(record))
            except Exception:  # noqa: BLE001 - an audit write failure must be visible, not fatal
                log.exception("audit write failed")
            log_event(log, "api access", **{k: v for k, v in record.items() if k != "at"})
        return response

    async def principal(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        presented = header[7:].strip() if header.lower().startswith("bearer ") else request.headers.get("x-api-key")
        found = await lookup(store().api_keys, presented)
        if found is None:
            raise ApiError(401, "unauthorized", "a valid API key is required (Authorization: Bearer pn_...)")
        request.state.principal = found
        return found

    def visible_filter(p: Principal) -> dict:
        if p.sees_all_agencies():
            return {}
        return {"agency_code": p.agency_code, "forwarded_at": {"$ne": None}}

    async def load_case(case_id: str, p: Principal) -> dict:
        doc = await store().cases.find_one({"_id": case_id, **visible_filter(p)})
        if doc is None:
            raise ApiError(404, "not_found", f"case {case_id} not found", "case_id")
        return doc

    @app.get("/v1/cases", responses=ERRORS, summary="List the caller's cases")
    async def list_cases(
        p: Principal = Depends(principal),
        status: wf.CaseStatus | None = None,
        form: str | None = None,
        since: AwareDatetime | None = Query(default=None, description="created at or after"),
        escalated: bool | None = None,
        limit: int = Query(default=50, ge=1, le=200),
        offset: int = Query(default=0, ge=0),
    ):
        query: dict[str, Any] = dict(visible_filter(p))
        if status:
            query["status"] = status
        if form:
            query["form"] = form
        if since:
            query["created_at"] = {"$gte": since}
        if escalated is not None:
            query["escalated"] = escalated
        docs = await store().cases.find(query).sort([("created_at", 1), ("_id", 1)]).skip(offset).limit(limit + 1).to_list(None)
        more = len(docs) > limit
        docs = docs[:limit]
        return _jsonable({"items": [case_view(d) for d in docs], "offset": offset, "limit": limit,
                          "next_offset": offset + limit if more else None})

    @app.get("/v1/cases/{case_id}", responses=ERRORS, summary="One case with its evidence and history")
    async def get_case(case_id: str, p: Principal = Depends(principal)):
        doc = await load_case(case_id, p)
        alert = await store().get_alert(case_id)
        cfg: NotifyConfig = state["config"]
        out = case_view(doc, detail=True)
        out["allowed_actions"] = wf.allowed_actions(store().case_from(doc), p.role)
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
        notes = await store().log.find({"case_ids": case_id},
                                       {"integration": 1, "state": 1, "created_at": 1, "sent_at": 1, "status": 1}).to_list(None)
        if not p.sees_all_agencies():
            notes = [n for n in notes if n["integration"].startswith(("employing-agency",))]
        out["notifications"] = [{"notification_id": n["_id"], **{k: v for k, v in n.items() if k != "_id"}} for n in notes]
        return _jsonable(out)

    async def transition(case_id: str, p: Principal, action: str, reason: str = "",
                         sanction: SanctionRecord | None = None) -> dict:
        doc = await load_case(case_id, p)
        case = store().case_from(doc)
        try:
            after = wf.apply(case, action, actor=f"{p.label or p.key_id} ({p.agency_code})", role=p.role,
                             now=utcnow(), reason=reason, sanction=sanction)
        except TransitionError as exc:
            status = 403 if exc.code == "forbidden_transition" else 422 if exc.code in (
                "reason_required", "sanction_required", "unexpected_sanction") else 409
            raise ApiError(status, exc.code, exc.message, exc.field)
        if not await store().save_case(after, doc.get("version", 0)):
            raise ApiError(409, "conflict", "the case changed meanwhile; read it again and retry")
        return _jsonable(case_view(await store().get_case_doc(case_id), detail=True))

    @app.post("/v1/cases/{case_id}/verify", responses=ERRORS, summary="Analyst confirms the suspicion")
    async def verify(case_id: str, body: ReasonIn, p: Principal = Depends(principal)):
        return await transition(case_id, p, "verify", body.reason)

    @app.post("/v1/cases/{case_id}/reject", responses=ERRORS, summary="Analyst rejects (closed as not proven)")
    async def reject(case_id: str, body: RejectIn, p: Principal = Depends(principal)):
        result = await transition(case_id, p, "reject", body.reason)
        alert = await store().get_alert(case_id) if body.wrong_person else None
        if alert is not None and alert.match.author_key:
            await record_judgement(store().db, alert.subject.nip, alert.match.author_key,
                                   reviewer=f"{p.label or p.key_id} ({p.agency_code})", reason=body.reason)
            log_event(log, "judgement recorded: not this person", case_id=case_id)
        return result

    @app.post("/v1/cases/{case_id}/acknowledge", responses=ERRORS, summary="The agency confirms receipt")
    async def acknowledge(case_id: str, body: AcknowledgeIn | None = None, p: Principal = Depends(principal)):
        return await transition(case_id, p, "acknowledge", body.note if body else "")

    @app.post("/v1/cases/{case_id}/status", responses=ERRORS, summary="Move the case through its workflow")
    async def set_status(case_id: str, body: StatusIn, p: Principal = Depends(principal)):
        return await transition(case_id, p, wf.ACTION_FOR_STATUS[body.status], body.reason, body.sanction)

    @app.get("/v1/silences", responses=ERRORS, summary="Active silences the caller may see")
    async def list_silences(p: Principal = Depends(principal)):
        rows = await store().active_silences(utcnow())
        if not p.sees_all_agencies():
            rows = [s for s in rows if s.agency_code == p.agency_code]
        return _jsonable({"items": [s.model_dump(mode="python") for s in rows]})

    @app.post("/v1/silences", status_code=201, responses=ERRORS, summary="Create a time-boxed silence")
    async def create_silence(body: SilenceIn, p: Principal = Depends(principal)):
        now = utcnow()
        try:
            silence = Silence(matchers=body.matchers, starts_at=body.starts_at or now, ends_at=body.ends_at,
                              comment=body.comment, created_by=f"{p.label or p.key_id} ({p.agency_code}, {p.role})",
                              agency_code=None if p.sees_all_agencies() else p.agency_code)
            validate_new_silence(silence, now, state["config"].routes.silence_max_duration)
        except ValueError as exc:
            raise ApiError(422, "invalid_silence", str(exc).splitlines()[0], "matchers")
        await store().add_silence(silence, now)
        return _jsonable(silence.model_dump(mode="python"))

    @app.delete("/v1/silences/{silence_id}", responses=ERRORS, summary="Expire a silence now")
    async def expire_silence(silence_id: str, p: Principal = Depends(principal)):
        doc = await store().silences.find_one({"_id": silence_id})
        if doc is None or (not p.sees_all_agencies() and doc.get("agency_code") != p.agency_code):
            raise ApiError(404, "not_found", f"silence {silence_id} not found", "silence_id")
        await store().expire_silence(silence_id, utcnow())
        return {"expired": silence_id}

    @app.get("/v1/notify/failures", responses=ERRORS, summary="Dead-lettered notifications (operators)")
    async def failures(p: Principal = Depends(principal), limit: int = Query(default=100, ge=1, le=1000)):
        if p.role not in ("analyst", "admin"):
            raise ApiError(403, "forbidden", "only analysts and admins see delivery failures")
        rows = await store().failures.find({}).sort("created_at", -1).limit(limit).to_list(None)
        return _jsonable({"items": [{"id": r.pop("_id"), **r} for r in rows]})

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"ok": True}

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics():
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    return app


def main() -> None:  # pragma: no cover - process entry
    import uvicorn

    from shared.logging import configure_logging
    from shared.settings import get_settings

    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(create_app(), host=settings.bind_host, port=settings.api_port, log_level="warning", access_log=False)


if __name__ == "__main__":  # pragma: no cover
    main()
