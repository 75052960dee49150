"""``/healthz``, ``/readyz`` and ``/metrics`` of the dispatcher process, like every other service's
(``pantau up``/``status`` and the Compose health check probe them). Ready once a cycle has run
against the store recently: as lease holder or as a standby waiting for the lease."""
from __future__ import annotations

import time

from aiohttp import web

from shared import metrics


class Liveness:
    """When the last cycle finished, as the loop reports it."""

    def __init__(self, stale_after_s: float):
        self.stale_after_s = stale_after_s
        self.last_cycle: float | None = None

    def cycle_finished(self) -> None:
        self.last_cycle = time.monotonic()

    def ready(self) -> bool:
        return self.last_cycle is not None and time.monotonic() - self.last_cycle < self.stale_after_s


def health_app(liveness: Liveness) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "service": "pantau-dispatcher"})

    async def readyz(request: web.Request) -> web.Response:
        ready = liveness.ready()
        return web.json_response({"ready": ready, "checks": {"cycle_recent": ready}}, status=200 if ready else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        body, _ = metrics.exposition()
        return web.Response(body=body, content_type=metrics.FAUST_WEB_CONTENT_TYPE)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def serve(liveness: Liveness, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(health_app(liveness), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
