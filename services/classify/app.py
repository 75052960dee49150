"""Classify: decide whether accepted content takes sides, with stance, SKB form and evidence.

All the judgement lives in ``services.classify.domain`` (also used by ``pantau classify``); this
file only moves records, a batch at a time. Every result is stored; only partisan items travel on
to match. A replay finds its results already stored (they are recomputable, the first one stays)
and publishes the partisan ones again: match and notify are idempotent per content id.
"""
from __future__ import annotations

from datetime import datetime

from services.classify.budget import within_budget
from services.classify.domain.classifier import Classifier
from shared import topics
from shared.health import add_health_routes
from shared.kafka import batch_agent, make_app
from shared.mongo import LazyDatabase, insert_new, ping
from shared.schemas import Classification, ContentAccepted, ContentClassified, utcnow
from shared.settings import get_settings
from shared.stage import Batch, InvalidRecord, Outgoing

settings = get_settings()
app = make_app("classify", settings)
db = LazyDatabase(settings)
classifier = Classifier.from_config()


async def classify(batch: Batch[ContentAccepted]) -> None:
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
        for accepted, result in results if result.partisan
    }
    await insert_new(db()["classifications"], list({
        accepted.content_id: stored_classification(accepted.content_id, result, outputs.get(accepted.content_id), now)
        for accepted, result in results
    }.values()))
    await batch.publish([Outgoing(topics.CONTENT_CLASSIFIED.name, cid.encode(), value.encode())
                         for cid, value in outputs.items()])


def stored_classification(content_id: str, result: Classification, sent: str | None, now: datetime) -> dict:
    """What is queried stays a field (partisan, form, score, version, time); the rest is one JSON string.

    On FerretDB a nested document costs far more to write than a string of the same data (4,200
    against ~10,000 documents/s measured). ``message`` is what went to match, kept for re-screening.
    """
    return {"_id": content_id, "partisan": result.partisan, "form": result.form, "score": result.score,
            "model_version": result.model_version, "classified_at": now,
            "result": result.model_dump_json(), **({"message": sent} if sent else {})}


batch_agent(app, "classify", topics.CONTENT_ACCEPTED, ContentAccepted, classify, settings)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
