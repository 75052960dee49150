"""Ingest: validate, de-duplicate and store content, then hand it to classify.

Two doors, one path: upstream systems publish to ``pantau.content.submitted.v1`` or POST to
``/v1/content``; the HTTP handler only validates and publishes to that same topic, and the agent
below does the rest, a batch at a time (``services.ingest.domain.plan_forwarding`` decides what goes on).
"""
from __future__ import annotations

import json
import logging

from faust.web import Request, Response, View

from services.ingest.domain import accepted_event, plan_forwarding, stored_content
from shared import topics
from shared.health import add_health_routes
from shared.kafka import InvalidRecord, batch_agent, make_app, parse_model
from shared.mongo import LazyDatabase, delete_ids, insert_new, ping
from shared.schemas import ContentRecord, utcnow
from shared.settings import get_settings
from shared.stage import Batch, Outgoing, kafka_publisher

log = logging.getLogger("pantau.ingest")
settings = get_settings()
app = make_app("ingest", settings, web_port=settings.ingest_port)
db = LazyDatabase(settings)

publish = kafka_publisher(app)

MAX_BATCH = 1000
IN_FLIGHT = "ingest_in_flight"  # small: ids of the batch being stored and forwarded, deleted after


async def accept(batch: Batch[ContentRecord]) -> None:
    """Store and forward a batch of records; duplicates of already-forwarded items are dropped.

    Insert-only: the in-flight marks go in first, then the content (the insert is the duplicate
    check), then every new item is forwarded and the marks are deleted. A content id that was
    already stored *and* still marked in flight was interrupted by a crash before it was
    forwarded: it is forwarded now. So nothing accepted is lost, and a re-submission is one item.
    """
    now = utcnow()
    documents: dict[str, dict] = {}
    for item in batch.items:
        documents.setdefault(item.model.content_id, stored_content(item.model, item.received.value, now))
    in_flight = db()[IN_FLIGHT]
    interrupted = await insert_new(in_flight, [{"_id": cid, "at": now} for cid in documents])
    stored_before = await insert_new(db()["content"], list(documents.values()))
    forward, dropped = plan_forwarding(list(documents), stored_before, interrupted)
    await batch.publish([
        Outgoing(topics.CONTENT_ACCEPTED.name, cid.encode(), accepted_event(documents[cid]).model_dump_json().encode())
        for cid in forward
    ])
    await delete_ids(in_flight, documents)
    if dropped:
        log.info("duplicates dropped", extra={"fields": {"count": len(dropped)}})


batch_agent(app, "ingest", topics.CONTENT_SUBMITTED, ContentRecord, accept, settings)


def error_body(code: str, message: str, details: list | None = None) -> dict:
    """The one error shape of our HTTP APIs."""
    return {"error": {"code": code, "message": message, "details": details or []}}


@app.page("/v1/content")
class ContentView(View):
    """POST one content record (an object) or a batch (an array); answers 202 with content ids.

    A batch is all-or-nothing: if any item is invalid, nothing is published and the 400 names
    each bad item by index and field.
    """

    async def post(self, request: Request) -> Response:
        keys = settings.ingest_keys
        presented = request.headers.get("X-API-Key") or request.headers.get("Authorization", "").removeprefix("Bearer ")
        if keys and presented not in keys:
            return self.json(error_body("unauthorized", "missing or unknown API key (header X-API-Key)"), status=401)
        body = await request.read()
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return self.json(error_body("invalid_json", f"request body is not valid JSON: {exc}"), status=400)
        items = payload if isinstance(payload, list) else [payload]
        if not items or len(items) > MAX_BATCH:
            return self.json(error_body("bad_batch", f"send between 1 and {MAX_BATCH} records per request"), status=400)
        problems, valid = [], []
        for index, item in enumerate(items):
            raw = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
            try:
                valid.append((parse_model(ContentRecord, raw), raw))
            except InvalidRecord as exc:
                problems.append({"index": index, "reason": exc.reason, "fields": exc.fields})
        if problems:
            return self.json(error_body("invalid_record", "some records are invalid; nothing was accepted", problems), status=400)
        await publish([Outgoing(topics.CONTENT_SUBMITTED.name, record.content_id.encode(), raw) for record, raw in valid])
        results = [{"external_id": record.external_id, "content_id": record.content_id} for record, _ in valid]
        return self.json({"accepted": results}, status=202)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
