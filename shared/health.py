"""``/healthz`` (the process is alive), ``/readyz`` (it can do its job) and ``/metrics`` for every service."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

import faust
from faust.web import Request, Response, View

from shared import metrics

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def add_health_routes(app: faust.App, readiness: ReadinessCheck) -> None:
    @app.page("/healthz")
    class Healthz(View):
        async def get(self, request: Request) -> Response:
            return self.json({"status": "ok", "service": app.conf.id})

    @app.page("/readyz")
    class Readyz(View):
        async def get(self, request: Request) -> Response:
            checks = await readiness()
            # Ready once the group has given this worker partitions (topics have at least as many
            # partitions as a stage has workers, so every worker gets some).
            checks["kafka_consumer"] = app.consumer is not None and bool(app.consumer.assignment())
            ready = all(checks.values())
            return self.json({"ready": ready, "checks": checks}, status=200 if ready else 503)

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            metrics.refresh_lag(app.consumer)
            body, _ = metrics.exposition()
            return self.bytes(body, content_type=metrics.FAUST_WEB_CONTENT_TYPE)
