"""Match: link partisan content to people in the ASN registry.

The engine (``services.match.domain``, also behind ``pantau match``) holds the active registry in
memory; the logic lives in ``services.match.worker``. Before each batch the handler asks for the
engine of the *active* version: when an import has just activated a newer one, the batch waits
until it is loaded (no record is matched against a replaced registry). A timer pre-loads new
versions, heartbeats what this worker has loaded into ``registry_workers``, and after a new
version is loaded, partisan content of the last ``rescreen_days`` is re-screened once, by whichever
worker claims it; the timer also takes over a claim whose worker stopped renewing its lease.
Until a registry is loaded ``/readyz`` answers 503 and records wait (they are retried, not dropped).
"""
from __future__ import annotations

import logging

from services.match.domain.engine import MatchEngine
from services.match.worker import MatchRuntime, RescreenRunner, match_batch, matched_messages, store_results
from shared import topics
from shared.health import add_health_routes
from shared.kafka import batch_agent, make_app
from shared.mongo import LazyDatabase, ping
from shared.stage import Batch, kafka_publisher
from shared.schemas import ContentClassified
from shared.settings import get_settings

log = logging.getLogger("pantau.match")
settings = get_settings()
app = make_app("match", settings)
db = LazyDatabase(settings)


async def _rescreen(engine: MatchEngine) -> None:
    rescreens.poke(db(), engine, runtime.excluded)


runtime = MatchRuntime(settings.mongodb_uri, on_loaded=_rescreen)
rescreens = RescreenRunner(kafka_publisher(app), runtime.worker_id, settings.rescreen_lease_s, settings.rescreen_chunk)


@app.timer(interval=5.0, on_leader=False)
async def watch_registry() -> None:
    try:
        await runtime.refresh(db())
    except Exception:  # noqa: BLE001 - try again at the next tick
        log.exception("registry refresh failed")
    rescreens.poke(db(), runtime.engine, runtime.excluded)


async def match(batch: Batch[ContentClassified]) -> None:
    engine = await runtime.ensure_current_registry(db())
    results = match_batch(engine, [item.model for item in batch.items], runtime.excluded)
    await store_results(db(), engine, results)
    await batch.publish(matched_messages(engine, results))


batch_agent(app, "match", topics.CONTENT_CLASSIFIED, ContentClassified, match, settings)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db()), "registry_loaded": runtime.engine is not None}


add_health_routes(app, readiness)
