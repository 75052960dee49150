"""The review desk at ``/desk/`` (Bahasa Indonesia, server-rendered with Jinja2, no external assets).

Login with an API key (form field ``api_key``) gives an HttpOnly, SameSite=Strict session cookie
signed with ``PANTAU_DESK_SECRET`` (itsdangerous); every request re-reads the key, so a revoked key
ends its sessions at once. Every form carries a CSRF token tied to the session (the login form: a
double-submit cookie). The role decides the views: analysts get the queue, case pages with
verify/reject, the review-candidate queue, bulk actions and assignment; agencies see only their own
forwarded cases and acknowledge, close (outcome and sanction) and annotate them. Rows carry
``data-case-id``; action buttons ``data-action``.
"""
from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from services.agency_api.auth import Principal, lookup
from services.notify.domain import cases as wf
from services.notify.domain.cases import SanctionRecord
from services.agency_api.application import cases, reviews
from services.agency_api.application.cases import CaseQuery, escalation_deadline, select_cases
from services.agency_api.application.errors import UseCaseError
from services.agency_api.routers.common import STATUS_OF_KIND, ApiError, config_of, context_of, parse_since, store_of
from services.agency_api.routers.session import COOKIE, desk_secrets, session_principal
from shared.schemas import ViolationForm

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
FORMS = [f for f in get_args(ViolationForm) if f != "none"]  # what an analyst may confirm on verifying

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "pn_desk_login"
MESSAGES = {
    "verified": "Kasus diverifikasi dan akan diteruskan ke instansi.",
    "rejected": "Kasus ditolak (ditutup: tidak terbukti).",
    "acknowledged": "Penerimaan kasus dicatat.",
    "closed": "Hasil penanganan dicatat; kasus ditutup.",
    "noted": "Catatan disimpan.",
    "assigned": "Kasus ditugaskan.",
    "bulk": "Aksi massal selesai.",
    "accepted": "Kandidat diterima; kasus baru dibuka.",
    "not_this_person": "Dicatat: bukan orang ini.",
    "logged_out": "Anda telah keluar.",
}


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
    nonce = getattr(request.state, "desk_nonce", "")
    base = {"request": request, "csrf": desk_secrets(request).csrf(nonce) if nonce else "",
            "user": getattr(request.state, "desk_user", None), "msg": MESSAGES.get(request.query_params.get("msg", ""))}
    response = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                                   "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


class LoginRequired(Exception):
    """No desk session: the app answers with the login page (``services.agency_api.api`` registers the handler)."""


async def desk_user(request: Request) -> Principal:
    """The signed-in desk user (a dependency): every desk page and action starts here."""
    p = await session_principal(request)
    if p is None:
        raise LoginRequired()
    request.state.desk_user = p
    request.state.principal = p
    return p


async def desk_form(request: Request, _user: Principal = Depends(desk_user)) -> FormData:
    """A posted desk form, once its CSRF token is checked (no session, no form)."""
    form = await request.form()
    check_csrf(request, form)
    return form


def check_csrf(request: Request, form) -> None:
    nonce = getattr(request.state, "desk_nonce", "")
    sent = str(form.get("csrf", ""))
    if not nonce or not hmac.compare_digest(sent, desk_secrets(request).csrf(nonce)):
        raise ApiError(403, "csrf", "token formulir tidak valid; muat ulang halaman", "csrf")


def safe_next(value: str | None) -> str:
    """Only a desk path of this site may follow the login (no open redirect)."""
    if value and re.fullmatch(r"/desk/[A-Za-z0-9_/\-]*", value) and "//" not in value:
        return value
    return "/desk/cases"


def to_login(request: Request) -> RedirectResponse:
    path = request.url.path
    target = "/desk/login" if path in ("/desk", "/desk/", "/desk/cases") else f"/desk/login?{urlencode({'next': path})}"
    return RedirectResponse(target, status_code=303)


# ---------------------------------------------------------------------- login / logout
@router.get("/desk", response_class=HTMLResponse)
@router.get("/desk/", response_class=HTMLResponse)
async def desk_home(request: Request, p: Principal = Depends(desk_user)):
    return RedirectResponse("/desk/cases", status_code=303)


@router.get("/desk/login", response_class=HTMLResponse)
async def login_page(request: Request, error: str | None = None, status: int = 200):
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"login_csrf": token, "error": error,
                                              "next": safe_next(request.query_params.get("next"))}, status=status)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/desk", max_age=1800)
    return response


@router.post("/desk/login")
async def login(request: Request):
    form = await request.form()
    sent, cookie = str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF, "")
    if not cookie or not hmac.compare_digest(sent, cookie):
        return await login_page(request, "Formulir kedaluwarsa; silakan coba lagi.", 403)
    key = str(form.get("api_key", "")).strip()
    store = store_of(request)
    p = await lookup(store.api_keys, key)
    if p is None:
        client = request.client.host if request.client else "?"
        if request.app.state.throttle.failed(client) is not None:
            return await login_page(request, "Terlalu banyak percobaan; tunggu sebentar.", 429)
        return await login_page(request, "Kunci API tidak valid atau sudah dicabut.", 401)
    doc = await store.api_key(p.key_id)
    d = desk_secrets(request)
    token = d.serializer().dumps({"k": p.key_id, "h": doc["key_hash"][:16], "n": secrets.token_urlsafe(16)})
    response = RedirectResponse(safe_next(str(form.get("next", ""))), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/", max_age=int(d.hours * 3600))
    response.delete_cookie(LOGIN_CSRF, path="/desk")
    return response


@router.post("/desk/logout")
async def logout(request: Request, form: FormData = Depends(desk_form)):
    response = RedirectResponse("/desk/login?msg=logged_out", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# ---------------------------------------------------------------------- queue
FILTERS = ("status", "form", "agency", "region", "contestant", "severity", "since", "until", "q", "assigned_to")


def _date(raw: str | None, field: str) -> datetime | None:
    if not raw:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raw = raw + "T00:00:00+07:00"  # a date on the desk is a WIB calendar day
    return parse_since(raw, field)


def query_from(params, p: Principal) -> tuple[CaseQuery, dict[str, str]]:
    raw = {k: str(params.get(k, "")).strip()[:200] for k in FILTERS}
    status = raw["status"] or None
    if status == "semua" or status not in (*wf.STATUS_ID, None):
        status = None
    elif status is None and p.sees_all_agencies() and "status" not in params:
        status = "new"  # the analysts' queue: new cases first
    raw["status"] = status or ("semua" if "status" in params or not p.sees_all_agencies() else "new")
    cq = CaseQuery(status=status, form=raw["form"] or None, agency_code=raw["agency"] or None,
                   region=raw["region"] or None, contestant=raw["contestant"] or None,
                   severity=raw["severity"] or None, q=raw["q"] or None, assigned_to=raw["assigned_to"] or None,
                   since=_date(raw["since"], "since"), until=_date(raw["until"], "until"))
    return cq, raw


def row_view(doc: dict, alert, cfg) -> dict:
    labels = doc.get("labels") or {}
    return {
        "case_id": doc["_id"], "status": doc["status"], "status_label": wf.STATUS_ID.get(doc["status"], doc["status"]),
        "agency": doc["agency_code"], "form": doc.get("form"),
        "form_label": cfg.sanctions.label(doc.get("form")), "severity": labels.get("severity") or (alert.severity if alert else ""),
        "created_at": doc.get("created_at"), "escalated": doc.get("escalated"), "assigned_to": doc.get("assigned_to"),
        "name": alert.subject.name if alert else "", "excerpt": alert.content.excerpt if alert else "",
        "source": alert.content.source if alert else "", "deadline": escalation_deadline(doc, cfg.escalate_after),
    }


@router.get("/desk/cases", response_class=HTMLResponse)
async def queue(request: Request, p: Principal = Depends(desk_user)):
    try:
        cq, raw = query_from(request.query_params, p)
    except ApiError as exc:
        cq, raw = CaseQuery(status="new" if p.sees_all_agencies() else None), {k: "" for k in FILTERS}
        raw["error"] = exc.message
    rows, more = await select_cases(store_of(request), p, cq, 0, 200, with_alerts=True)
    cfg = config_of(request)
    export_qs = urlencode({k: v for k, v in {
        "status": cq.status, "form": cq.form, "agency": cq.agency_code, "region": cq.region, "contestant": cq.contestant,
        "severity": cq.severity, "q": cq.q, "assigned_to": cq.assigned_to,
        "since": cq.since.isoformat() if cq.since else None, "until": cq.until.isoformat() if cq.until else None,
    }.items() if v})
    return render(request, "queue.html", {
        "rows": [row_view(d, a, cfg) for d, a in rows], "more": more, "f": raw, "statuses": wf.STATUS_ID,
        "forms": cfg.sanctions.labels(), "export_qs": export_qs,
        "analyst": p.sees_all_agencies()})


# ---------------------------------------------------------------------- case page
def highlight_excerpt(text: str, words: list[str]) -> Markup:
    """The post with every evidence phrase marked (case-insensitive; escaped)."""
    words = sorted({w for w in words if w and len(w) >= 2}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(Markup('<mark class="evidence">') + escape(m.group(0)) + Markup("</mark>"))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def name_commonness(explanation: list[dict]) -> str:
    for e in explanation:
        if e.get("feature") in ("name_frequency", "name_rarity", "name_commonness"):
            value = e.get("candidate_value") or e.get("query_value")
            return e.get("detail") or (f"nama ini dimiliki ±{value} ASN" if value else "")
    return "belum diketahui (mesin pencocok belum mencatat frekuensi nama)"


@router.get("/desk/cases/{case_id}", response_class=HTMLResponse)
async def case_page(case_id: str, request: Request, p: Principal = Depends(desk_user)):
    try:
        detail = await cases.detail(context_of(request), p, case_id)
    except UseCaseError as exc:
        if exc.kind == "not_found":
            return render(request, "error.html", {"title": "Kasus tidak ditemukan",
                                                  "message": "Kasus ini tidak ada atau bukan milik instansi Anda."}, 404)
        raise
    media = []
    content_id = (detail.get("content") or {}).get("content_id")
    if content_id:  # case_detail already enforced who may see this case
        content = await store_of(request).stored_content(content_id)
        media = content.record().media if content else []
    evidence = (detail.get("classification") or {}).get("evidence") or []
    excerpt = (detail.get("content") or {}).get("excerpt", "")
    explanation = (detail.get("match") or {}).get("explanation") or []
    return render(request, "case.html", {
        "c": detail, "post": highlight_excerpt(excerpt, [e["text"] for e in evidence]), "evidence": evidence,
        "media": media, "explanation": explanation, "commonness": name_commonness(explanation),
        "analyst": p.sees_all_agencies(), "allowed": set(detail.get("allowed_actions") or []),
        "disciplines": ["ringan", "sedang", "berat", "ptdh", "none"],
        "contestants": sorted(config_of(request).contestant_names.items()), "forms": FORMS})


async def _act(request: Request, p: Principal, case_id: str, form) -> str:
    """One desk form's action through the same use cases as the API; the flash message's key."""
    ctx = context_of(request)
    action = str(form.get("action", ""))
    reason = str(form.get("reason", "")).strip()
    if action == "verify":
        contestant = str(form.get("contestant", "")).strip()
        stance = [(contestant, str(form.get("polarity", "support")))] if contestant else None
        await cases.verify(ctx, p, case_id, reason, stance, str(form.get("form", "")).strip() or None)
        return "verified"
    if action == "reject":
        await cases.reject(ctx, p, case_id, reason, form.get("wrong_person") in ("1", "on", "true"),
                           str(form.get("ground", "")) or None)
        return "rejected"
    if action == "acknowledge":
        await cases.transition(ctx, p, case_id, "acknowledge", str(form.get("note", "")).strip()[:2000])
        return "acknowledged"
    if action == "close":
        if str(form.get("outcome", "")) == "proven":
            sanction = SanctionRecord(discipline=str(form.get("discipline", "berat")),
                                      description=str(form.get("sanction", "")).strip() or "-",
                                      decree_number=str(form.get("decree_number", "")).strip() or None)
            await cases.transition(ctx, p, case_id, "close_proven", reason, sanction)
        else:
            await cases.transition(ctx, p, case_id, "close_not_proven", reason)
        return "closed"
    if action == "note":
        await cases.add_note(ctx, p, case_id, str(form.get("note", "")).strip()[:2000])
        return "noted"
    if action == "assign":
        await cases.assign(ctx, p, case_id, str(form.get("analyst", "")).strip()[:200] or p.label)
        return "assigned"
    raise UseCaseError("invalid", "unknown_action", f"aksi tidak dikenal: {action}", "action")


def _error_page(request: Request, exc: Exception, back: str) -> HTMLResponse:
    if isinstance(exc, UseCaseError):
        status, message = STATUS_OF_KIND[exc.kind], exc.message
    else:  # pydantic validation of a sanction record, for instance
        status, message = 422, str(exc).splitlines()[0]
    return render(request, "error.html", {"title": "Aksi tidak dapat dilakukan", "message": message, "back": back},
                  status)


@router.post("/desk/cases/{case_id}/action")
async def case_action(case_id: str, request: Request, p: Principal = Depends(desk_user), form: FormData = Depends(desk_form)):
    try:
        msg = await _act(request, p, case_id, form)
    except (UseCaseError, ValueError) as exc:
        return _error_page(request, exc, f"/desk/cases/{case_id}")
    return RedirectResponse(f"/desk/cases/{case_id}?msg={msg}", status_code=303)


@router.post("/desk/bulk")
async def bulk(request: Request, p: Principal = Depends(desk_user), form: FormData = Depends(desk_form)):
    ids = [str(i) for i in form.getlist("case_ids")][:200]
    failed = []
    for case_id in ids:
        try:
            await _act(request, p, case_id, form)
        except (UseCaseError, ValueError) as exc:
            failed.append(f"{case_id}: {getattr(exc, 'message', str(exc).splitlines()[0])}")
    if failed:
        return render(request, "error.html", {"title": "Sebagian aksi massal gagal", "message": "; ".join(failed),
                                              "back": "/desk/cases"}, 207)
    return RedirectResponse("/desk/cases?msg=bulk", status_code=303)


# ---------------------------------------------------------------------- review candidates
@router.get("/desk/reviews", response_class=HTMLResponse)
async def reviews_page(request: Request, p: Principal = Depends(desk_user)):
    try:
        rows = await reviews.open_reviews(context_of(request), p)
    except UseCaseError:
        return render(request, "error.html", {"title": "Tidak diizinkan", "message": "Hanya untuk analis."}, 403)
    return render(request, "reviews.html", {"rows": rows})


@router.post("/desk/reviews/{review_id}/action")
async def review_action(review_id: str, request: Request, p: Principal = Depends(desk_user), form: FormData = Depends(desk_form)):
    reason = str(form.get("reason", "")).strip() or "diputuskan di meja analis"
    try:
        if form.get("action") == "accept":
            await reviews.accept(context_of(request), p, review_id, reason)
            return RedirectResponse("/desk/reviews?msg=accepted", status_code=303)
        await reviews.reject(context_of(request), p, review_id, reason)
        return RedirectResponse("/desk/reviews?msg=not_this_person", status_code=303)
    except UseCaseError as exc:
        return _error_page(request, exc, "/desk/reviews")


# ---------------------------------------------------------------------- figures
def bar_chart(title: str, data: dict[str, int], width: int = 560) -> Markup:
    """A horizontal bar chart as inline SVG (server-side; no script, no CDN)."""
    rows = list(data.items())[:15]
    bar_h, gap, label_w = 18, 6, 190
    height = max(1, len(rows)) * (bar_h + gap) + 30
    top = max([v for _, v in rows], default=1) or 1
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="0" y="14" class="chart-title">{escape(title)}</text>']
    for i, (label, value) in enumerate(rows):
        y = 24 + i * (bar_h + gap)
        w = int((width - label_w - 50) * value / top)
        parts.append(f'<text x="0" y="{y + 13}" class="chart-label">{escape(str(label))[:32]}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" class="chart-bar"/>'
                     f'<text x="{label_w + w + 6}" y="{y + 13}" class="chart-value">{value}</text>')
    if not rows:
        parts.append('<text x="0" y="40" class="chart-label">belum ada data</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/desk/stats", response_class=HTMLResponse)
async def stats_page(request: Request, p: Principal = Depends(desk_user)):
    s = await cases.stats(context_of(request), p, CaseQuery())
    charts = [bar_chart("Kasus per instansi", s["by_agency"]), bar_chart("Kasus per bentuk pelanggaran", s["by_form"]),
              bar_chart("Kasus per peserta pemilu", s["by_contestant"]), bar_chart("Kasus per minggu", s["by_week"]),
              bar_chart("Kasus per status", {wf.STATUS_ID.get(k, k): v for k, v in s["by_status"].items()})]
    return render(request, "stats.html", {"stats": s, "charts": charts})
