"""``/v1/silences``: time-boxed mutes (an agency only for its own cases)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel, Field

from services.agency_api.auth import Principal
from services.notify.domain.silences import Silence, validate_new_silence
from services.agency_api.routers.common import ERRORS, ApiError, config_of, jsonable, principal, store_of
from shared.schemas import utcnow

router = APIRouter(tags=["silences"])


class SilenceIn(BaseModel):
    matchers: list[str] = Field(min_length=1, max_length=20)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime
    comment: str = Field(min_length=3, max_length=2000)


@router.get("/v1/silences", responses=ERRORS, summary="Active silences the caller may see")
async def list_silences(request: Request, p: Principal = Depends(principal)):
    rows = await store_of(request).active_silences(utcnow())
    if not p.sees_all_agencies():
        rows = [s for s in rows if s.agency_code == p.agency_code]
    return jsonable({"items": [s.model_dump(mode="python") for s in rows]})


@router.post("/v1/silences", status_code=201, responses=ERRORS, summary="Create a time-boxed silence")
async def create_silence(body: SilenceIn, request: Request, p: Principal = Depends(principal)):
    now = utcnow()
    try:
        silence = Silence(matchers=body.matchers, starts_at=body.starts_at or now, ends_at=body.ends_at,
                          comment=body.comment, created_by=f"{p.label or p.key_id} ({p.agency_code}, {p.role})",
                          agency_code=None if p.sees_all_agencies() else p.agency_code)
        validate_new_silence(silence, now, config_of(request).routes.silence_max_duration)
    except (ValueError, OverflowError) as exc:
        raise ApiError(422, "invalid_silence", str(exc).splitlines()[0], "matchers")
    await store_of(request).add_silence(silence, now)
    return jsonable(silence.model_dump(mode="python"))


@router.delete("/v1/silences/{silence_id}", responses=ERRORS, summary="Expire a silence now")
async def expire_silence(silence_id: str, request: Request, p: Principal = Depends(principal)):
    store = store_of(request)
    doc = await store.get_silence(silence_id)
    if doc is None or (not p.sees_all_agencies() and doc.get("agency_code") != p.agency_code):
        raise ApiError(404, "not_found", f"silence {silence_id} not found", "silence_id")
    await store.expire_silence(silence_id, utcnow())
    return {"expired": silence_id}
