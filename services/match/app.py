"""Match: link partisan content to people in the ASN registry.

The engine (``services.match.domain``, also behind ``pantau match``) holds the active registry in
memory. A timer watches ``registry_state``; when an import switches versions, a new engine is built
beside the old one and swapped in with one assignment, so matching never stops. Until a registry is
loaded ``/readyz`` answers 503 and records wait (they are retried, not dropped).
"""
from __future__ import annotations

import asyncio
import logging

from services.match import registry_store
from services.match.domain.engine import MatchEngine
from shared import topics
from shared.judgements import load_judgements
from shared.health import add_health_routes
from shared.kafka import batch_agent, make_app
from shared.mongo import LazyDatabase, insert_new, ping
from shared.stage import Batch, Outgoing, TransientError
from shared.schemas import ContentClassified, ContentMatched, utcnow
from shared.settings import get_settings

log = logging.getLogger("pantau.match")
settings = get_settings()
app = make_app("match", settings)
db = LazyDatabase(settings)


class RegistryNotLoaded(TransientError):
    """Transient: the record waits until an import has been activated."""


class Runtime:
    engine: MatchEngine | None = None
    excluded: frozenset[tuple[str, str]] = frozenset()
    loading: str | None = None


runtime = Runtime()


async def refresh() -> None:
    version = await registry_store.active_version(db())
    runtime.excluded = await load_judgements(db())
    current = runtime.engine.registry_version if runtime.engine else None
    if version is None or version == current or version == runtime.loading:
        return
    runtime.loading = version
    try:
        engine = await asyncio.to_thread(_build_engine, version)
        runtime.engine = engine
        log.info("registry version active", extra={"fields": {"version": version}})
    finally:
        runtime.loading = None


def _build_engine(version: str) -> MatchEngine:
    """Runs in a worker thread with its own synchronous client, streaming the collection."""
    with registry_store.sync_people(settings.mongodb_uri, version) as documents:
        return MatchEngine.from_documents(documents, version)


@app.timer(interval=5.0, on_leader=False)
async def watch_registry() -> None:
    try:
        await refresh()
    except Exception:  # noqa: BLE001 - try again at the next tick
        log.exception("registry refresh failed")


async def match(batch: Batch[ContentClassified]) -> None:
    if runtime.engine is None:
        await refresh()
        if runtime.engine is None:
            raise RegistryNotLoaded("no registry loaded yet: run `pantau registry import REG.csv`")
    engine, now = runtime.engine, utcnow()
    results = [(item.model, engine.match(item.model.record, excluded=runtime.excluded)) for item in batch.items]
    await insert_new(db()["matches"], list({
        classified.content_id: {
            "_id": classified.content_id, "matches": [m.model_dump(mode="json") for m in matches],
            "registry_version": engine.registry_version, "matched_at": now,
        } for classified, matches in results
    }.values()))
    await batch.publish([
        Outgoing(topics.CONTENT_MATCHED.name, classified.content_id.encode(), ContentMatched(
            content_id=classified.content_id, evidence_sha256=classified.evidence_sha256, record=classified.record,
            classification=classified.classification, matches=matches, registry_version=engine.registry_version,
        ).model_dump_json().encode())
        for classified, matches in results if matches
    ])


batch_agent(app, "match", topics.CONTENT_CLASSIFIED, ContentClassified, match, settings)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db()), "registry_loaded": runtime.engine is not None}


add_health_routes(app, readiness)
