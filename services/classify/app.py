"""Classify: decide whether accepted content takes sides, with stance, SKB form and evidence.

All the judgement lives in ``services.classify.domain`` (also used by ``pantau classify``); this
file only moves records, a batch at a time. Every result's summary is stored, the raw post only for what
travels on (``config/retention.yaml``); partisan items, and items a person
reported through a public-report channel whatever the model says (an analyst decides), travel on to match.
Between batches the worker picks up a newly promoted model version (``services.classify.models``), without a
restart; every classification records the version that made it. A replay finds its results already stored
(they are recomputable, the first one stays) and publishes the partisan ones again: match and notify are
idempotent per content id.
"""
from __future__ import annotations

from services.classify.budget import within_budget
from services.classify.domain.classifier import Classifier
from services.classify.models import ActiveModel
from shared import topics
from shared.health import add_health_routes
from shared.kafka import batch_agent, make_app
from shared.mongo import LazyDatabase, ping
from shared.pages import insert_rows
from shared.schemas import Classification, ContentAccepted, ContentClassified, utcnow
from shared.retention import load_policy
from shared.settings import get_settings
from shared.stage import Batch, InvalidRecord, Outgoing
from shared.stored import StoredClassification, StoredContent

settings = get_settings()
app = make_app("classify", settings)
db = LazyDatabase(settings)
active = ActiveModel(db, Classifier.from_config(), settings.classify_model_check_s)
retention = load_policy()


def evidence_of(accepted: ContentAccepted, result: Classification) -> StoredContent:
    """The post as ingest received it, with its classification (a message from before ingest sent ``raw``: its
    record as JSON)."""
    raw = accepted.raw.encode() if accepted.raw is not None else accepted.record.model_dump_json().encode()
    return StoredContent.of(accepted.record, raw, accepted.received_at, result)


async def classify(batch: Batch[ContentAccepted]) -> None:
    classifier = await active.current()
    now = utcnow()
    results = []
    for item, result in within_budget(batch.items, lambda item: classifier.classify(item.model.record),
                                      settings.classify_budget_ms / 1000):
        if isinstance(result, InvalidRecord):
            batch.reject(item, result)
        else:
            results.append((item.model, result))
    outputs = {
        accepted.content_id: ContentClassified(
            content_id=accepted.content_id, evidence_sha256=accepted.evidence_sha256, record=accepted.record,
            classification=result,
        ).model_dump_json()
        for accepted, result in results if result.partisan or accepted.record.reported
    }
    await insert_rows(db()[StoredClassification.COLLECTION], [
        StoredClassification.of(accepted.content_id, result, now, accepted.content_id in outputs).row()
        for accepted, result in results], time_field=StoredClassification.TIME_FIELD)
    evidence: dict[str, list[dict]] = {}  # day bucket -> its posts (as page rows)
    for accepted, result in results:
        if accepted.content_id in outputs or retention.content.keep_raw_not_partisan:
            stored = evidence_of(accepted, result)
            evidence.setdefault(stored.collection(), []).append(stored.row())
    for collection, rows in evidence.items():
        await insert_rows(db()[collection], rows, time_field=StoredContent.TIME_FIELD)
    await batch.publish([Outgoing(topics.CONTENT_CLASSIFIED.name, cid.encode(), value.encode())
                         for cid, value in outputs.items()])


batch_agent(app, "classify", topics.CONTENT_ACCEPTED, ContentAccepted, classify, settings)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
