"""Cek Netral (prevention): a civil servant pastes a draft post and sees, before posting, whether it
would breach the SKB 2022, which form, which words, the sanction level and what to change.

It runs the classifier's own code on the draft, keeps nothing of the text (no database write, no
log of the text, no audit entry with it), is rate-limited per client and needs no key.
"""
from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from services.agency_api.routers.common import ERRORS, ApiError, config_of
from services.agency_api.routers.desk import render

router = APIRouter(tags=["check"])
RISKY_SCORE = 0.3
VIOLATION_SCORE = 0.7


class RateLimiter:
    """At most N requests per client per minute (sliding window, in memory)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, client: str) -> int | None:
        now = time.monotonic()
        q = self._hits[client]
        while q and q[0] < now - 60:
            q.popleft()
        if len(q) >= self.per_minute:
            return max(1, int(60 - (now - q[0])) + 1)
        q.append(now)
        if len(self._hits) > 10_000:
            for key in list(self._hits)[:5_000]:
                self._hits.pop(key, None)
        return None


class MediaIn(BaseModel):
    type: Literal["image", "video"] = "image"
    caption: str | None = Field(default=None, max_length=5000)
    ocr_text: str | None = Field(default=None, max_length=5000)
    labels: list[str] = Field(default_factory=list, max_length=50)


class CheckIn(BaseModel):
    text: str = Field(max_length=20_000)
    media: list[MediaIn] = Field(default_factory=list, max_length=10)


class CheckOut(BaseModel):
    verdict: Literal["aman", "berisiko", "melanggar"]
    forms: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    advice: str
    stored: bool = Field(False, description="always false: nothing of the draft is kept")


def _classifier(request: Request):
    clf = getattr(request.app.state, "classifier", None)
    if clf is None:
        from services.classify.domain.classifier import Classifier

        clf = request.app.state.classifier = Classifier.from_config()
    return clf


def verdict_for(partisan: bool, score: float, evidence_count: int) -> str:
    if partisan and score >= VIOLATION_SCORE:
        return "melanggar"
    if partisan or score >= RISKY_SCORE or evidence_count:
        return "berisiko"
    return "aman"


def advice_for(verdict: str, words: list[str], form_label: str | None) -> str:
    if verdict == "aman":
        return ("Tidak ditemukan ajakan atau dukungan kepada peserta pemilu. Tetap jaga netralitas: jangan "
                "menyukai, membagikan atau mengomentari unggahan kampanye.")
    listed = ", ".join(f"“{w}”" for w in words[:8]) or "bagian yang menyebut peserta pemilu"
    head = ("Unggahan ini kemungkinan besar melanggar netralitas ASN" if verdict == "melanggar"
            else "Unggahan ini berisiko dianggap tidak netral")
    form = f" ({form_label})" if form_label else ""
    return (f"{head}{form}. Hapus atau ganti kata berikut: {listed}. Jangan menyebut nama, nomor urut, "
            "slogan, tagar atau simbol jari peserta pemilu, dan jangan mengajak memilih. Bila ragu, "
            "jangan unggah.")


def run_check(request: Request, body: CheckIn) -> CheckOut:
    from shared.schemas import ContentRecord, Media

    record = ContentRecord(source="cek-netral", external_id="draft", text=body.text,
                           media=[Media(**m.model_dump()) for m in body.media])
    result = _classifier(request).classify(record)
    cfg = config_of(request)
    forms: list[dict[str, Any]] = []
    form_label = None
    if result.form and result.form != "none":
        try:
            s = cfg.sanctions.for_form(result.form)
            form_label = s.form_label
            forms.append({"form": s.form, "label": s.form_label, "discipline": s.discipline,
                          "discipline_label": s.discipline_label, "severity": s.severity,
                          "legal_basis": s.legal_basis})
        except KeyError:
            forms.append({"form": result.form, "label": result.form})
    evidence = [{"text": e.text, "cue": e.cue, "field": e.field, "span": list(e.span) if e.span else None,
                 "contestant": e.contestant} for e in result.evidence if e.cue != "negation"]
    verdict = verdict_for(result.partisan, result.score, len(evidence))
    return CheckOut(verdict=verdict, forms=forms if verdict != "aman" else [], evidence=evidence,
                    advice=advice_for(verdict, [e["text"] for e in evidence], form_label))


def _limit(request: Request) -> None:
    client = request.client.host if request.client else "?"
    retry = request.app.state.check_limiter.allow(client)
    if retry is not None:
        raise ApiError(429, "rate_limited", "terlalu banyak pemeriksaan; coba lagi sebentar lagi", None,
                       {"Retry-After": str(retry)})


@router.post("/v1/check", response_model=CheckOut, responses=ERRORS,
             summary="Cek Netral: would this draft breach ASN neutrality? (no key; nothing stored)")
async def check(body: CheckIn, request: Request) -> CheckOut:
    _limit(request)
    return run_check(request, body)


@router.get("/cek", include_in_schema=False, response_class=HTMLResponse)
async def cek_page(request: Request):
    return render(request, "cek.html", {"result": None, "text": ""})


@router.post("/cek", include_in_schema=False, response_class=HTMLResponse)
async def cek_submit(request: Request, text: str = Form(default="", max_length=20_000)):
    try:
        _limit(request)
    except ApiError as exc:
        return render(request, "cek.html", {"result": None, "text": "", "error": exc.message}, status=429)
    result = run_check(request, CheckIn(text=text))
    return render(request, "cek.html", {"result": result, "text": text, "highlighted": highlight(text, result.evidence)})


def highlight(text: str, evidence: list[dict]):
    """The draft with the evidence spans marked (escaped; spans from the classifier, text field only)."""
    from markupsafe import Markup, escape

    spans = sorted({tuple(e["span"]) for e in evidence if e.get("span") and e.get("field") == "text"})
    out, pos = [], 0
    for a, b in spans:
        if a < pos or b > len(text):
            continue
        out.append(escape(text[pos:a]))
        out.append(Markup("<mark>") + escape(text[a:b]) + Markup("</mark>"))
        pos = b
    out.append(escape(text[pos:]))
    return Markup("").join(out)
