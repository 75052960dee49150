"""Classify: decide whether accepted content takes sides, with stance, SKB form and evidence.

All the judgement lives in ``services.classify.domain`` (also used by ``pantau classify``); this
file only moves records. Every result is stored; only partisan items travel on to match.
Re-processing after a crash recomputes the same result and overwrites it (idempotent).
"""
from __future__ import annotations

from services.classify.domain.classifier import Classifier
from shared import topics
from shared.health import add_health_routes
from shared.kafka import DeadLetterSink, make_app, parse_model, process_events, topic
from shared.mongo import LazyDatabase, ping, store_result
from shared.schemas import ContentAccepted, ContentClassified, utcnow
from shared.settings import get_settings

settings = get_settings()
app = make_app("classify", settings)
db = LazyDatabase(settings)
classifier = Classifier.from_config()

accepted = topic(app, topics.CONTENT_ACCEPTED, settings)
classified = topic(app, topics.CONTENT_CLASSIFIED, settings)
dead_letters = DeadLetterSink("classify", topics.CONTENT_ACCEPTED, app.topic(topics.CONTENT_ACCEPTED.dead_letter))


async def handle(event) -> None:
    item = parse_model(ContentAccepted, bytes(event.value))
    result = classifier.classify(item.record)
    await store_result(
        db()["classifications"], {"_id": item.content_id, **result.model_dump(mode="json"), "classified_at": utcnow()}
    )
    if result.partisan:
        out = ContentClassified(
            content_id=item.content_id, evidence_sha256=item.evidence_sha256, record=item.record, classification=result
        )
        # Attached to the event: faust publishes it before committing the input offset.
        await classified.send(key=item.content_id.encode(), value=out.model_dump_json().encode())


@app.agent(accepted, concurrency=settings.agent_concurrency)
async def classify_content(stream):
    await process_events(stream, handle, dead_letters)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
