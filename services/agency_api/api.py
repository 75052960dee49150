"""Agency API: each agency reads and works only its own cases (FastAPI; OpenAPI at /openapi.json,
docs at /docs from local Swagger UI files). Runs on http://127.0.0.1:${PANTAU_API_PORT:-8080}:

    python -m services.agency_api

The same process serves the review desk (``/desk/``, Bahasa Indonesia) and Cek Netral (``/cek``).
Notifications are sent by the dispatcher, its own process: ``python -m services.dispatcher``.

Auth: ``Authorization: Bearer pn_...`` or ``X-API-Key: pn_...`` (``pantau agency key create CODE``).
Roles: ``agency`` sees its own agency's cases once they were forwarded to it (unverified suspicions
stay with the analysts); ``analyst`` sees all cases and verifies or rejects them; ``admin`` all.
Another agency's case answers 404, no or a bad key 401 (429 after many bad keys from one client),
a role that may not act 403, an illegal transition 409, a malformed value 400/422, a body that is
not JSON 415. Errors always have the shape {"error": {"code", "message", "field"}}.
Every ``/v1`` request is written to the ``audit`` collection (query values that may be secrets
redacted, no headers) and logged with NIPs masked.

Routers by resource live in ``routers/``, use cases in ``application/``; every query goes through ``NotifyStore``.
"""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.notify.domain.config import NotifyConfig, load_notify_config
from services.agency_api.routers.notify_failures import notify_failures_router
from services.agency_api.routers import cases, check, desk, ops, reviews, session, silences
from services.agency_api.routers.common import (
    MAX_BODY_BYTES, ApiError, BadKeyThrottle, api_error, error_response, json_body_problem, principal, redact_query,
)
from services.agency_api.application.context import WebContext
from services.agency_api.settings import WebSettings
from services.agency_api.application.errors import UseCaseError
from services.notify.store import NotifyStore
from shared.logging import log_event
from shared.schemas import utcnow

log = logging.getLogger("pantau.agency_api")

BODY_METHODS = ("POST", "PUT", "PATCH")


def _swagger_dir() -> str:
    import fastapi_offline

    return str(Path(fastapi_offline.__file__).resolve().parent / "static")



# ---------------------------------------------------------------------- one error shape, one audit line
async def _api_error(request: Request, exc: ApiError):
    # The case link in alerts and e-mails opened in a browser: to the desk page, not a JSON 401.
    if (exc.status == 401 and request.method == "GET" and "text/html" in request.headers.get("accept", "")
            and request.url.path.startswith("/v1/cases/") and request.url.path.count("/") == 3):
        case_id = request.url.path.rsplit("/", 1)[1]
        return RedirectResponse(f"/desk/cases/{quote(case_id, safe='')}", status_code=303)
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.headers)


async def _login(request: Request, exc: desk.LoginRequired):
    return desk.to_login(request)


async def _refused(request: Request, exc: UseCaseError):
    return await _api_error(request, api_error(exc))


async def _validation(request: Request, exc: RequestValidationError):
    first = exc.errors()[0] if exc.errors() else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path")]
    return error_response(422, "validation_error", first.get("msg", "invalid request"), ".".join(loc) or None)


async def _http(request: Request, exc: StarletteHTTPException):
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _unexpected(request: Request, exc: Exception):
    # One line through our JSON logger (NIPs masked), never a raw traceback with request values.
    log.error("unexpected error", extra={"fields": {"path": request.url.path, "error": type(exc).__name__}})
    return error_response(500, "internal_error", "unexpected error; the operators were told")


ERROR_HANDLERS = ((ApiError, _api_error), (desk.LoginRequired, _login), (UseCaseError, _refused),
                  (RequestValidationError, _validation), (StarletteHTTPException, _http), (Exception, _unexpected))


def _body_problem(request: Request, body_length: int):
    """A /v1 body that is not small JSON never reaches a handler: the error answer, or None."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        return error_response(415, "unsupported_media_type", "the body must be application/json", "Content-Type")
    if body_length > MAX_BODY_BYTES:
        return error_response(413, "body_too_large", f"the body may hold at most {MAX_BODY_BYTES} bytes")
    return None


async def audit(request: Request, call_next):
    """Every /v1 request: checked body, then one audit document and one log line (key id, never the key)."""
    started = time.monotonic()
    length = int(request.headers.get("content-length") or 0)
    if request.method in BODY_METHODS and request.url.path.startswith("/v1/") and length > 0:
        refused = _body_problem(request, length)
        if refused is not None:
            return refused
        problem = json_body_problem(await request.body())
        if problem is not None:
            return error_response(*problem)
    response = await call_next(request)
    principal = getattr(request.state, "principal", None)
    if request.url.path.startswith("/v1/"):
        record = {
            "at": utcnow(), "method": request.method, "path": request.url.path[:500],
            "query": redact_query(str(request.url.query)), "status": response.status_code,
            "key_id": principal.key_id if principal else None,
            "agency_code": principal.agency_code if principal else None,
            "role": principal.role if principal else None,
            "client": request.client.host if request.client else None,
            "case_id": request.path_params.get("case_id") if hasattr(request, "path_params") else None,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        try:
            await request.app.state.store.write_audit(record)
        except Exception:  # noqa: BLE001 - an audit write failure must be visible, not fatal
            log.error("audit write failed")
        log_event(log, "api access", **{k: v for k, v in record.items() if k != "at"})
    return response


def create_app(*, config: NotifyConfig | None = None, db=None) -> FastAPI:
    from shared.mongo import connect
    from shared.settings import get_settings

    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        cfg = config or load_notify_config()
        client = None
        database = db
        if database is None:
            client, database = connect(settings)
        store = NotifyStore(database)
        await store.ensure_indexes()
        app.state.config, app.state.store = cfg, store
        app.state.context = WebContext(store, cfg, settings.public_url)
        try:
            yield
        finally:
            if client is not None:
                await client.close()

    app = FastAPI(
        title="Pantau Netral agency API",
        version="1",
        description=("Suspected ASN neutrality cases for the agencies that must act. Cases are suspicions "
                     "pending human verification, never verdicts."),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.throttle = BadKeyThrottle()
    app.state.public_url = settings.public_url
    web = WebSettings()
    app.state.desk = session.DeskSecrets.from_settings(web)
    app.state.check_limiter = check.RateLimiter(web.check_per_minute)

    for error, handler in ERROR_HANDLERS:
        app.add_exception_handler(error, handler)
    app.middleware("http")(audit)

    for router in (cases.router, reviews.router, silences.router, ops.router, check.router, desk.router):
        app.include_router(router)
    app.include_router(notify_failures_router(principal, lambda: app.state.store.db))

    app.mount("/docs-static", StaticFiles(directory=_swagger_dir()), name="docs-static")
    app.mount("/desk/static", StaticFiles(directory=str(desk.STATIC_DIR)), name="desk-static")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs() -> Any:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Pantau Netral agency API",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon.png")

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
