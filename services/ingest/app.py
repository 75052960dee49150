"""Ingest: validate, de-duplicate and store content, then hand it to classify.

Two doors, one path: upstream systems publish to ``pantau.content.submitted.v1`` or POST to
``/v1/content``; the HTTP handler only validates and publishes to that same topic, and the agent
below does the rest. A record is stored, then forwarded once (recorded after the broker confirmed), so a crash in
between re-forwards it instead of losing it.
"""
from __future__ import annotations

import json
import logging

from faust.web import Request, Response, View

from services.ingest.domain import accepted_event, stored_content
from shared import topics
from shared.health import add_health_routes
from shared.kafka import DeadLetterSink, InvalidRecord, make_app, parse_model, process_events, topic
from shared.mongo import LazyDatabase, already_sent, insert_once, ping, send_and_record
from shared.schemas import ContentRecord, utcnow
from shared.settings import get_settings

log = logging.getLogger("pantau.ingest")
settings = get_settings()
app = make_app("ingest", settings, web_port=settings.ingest_port)
db = LazyDatabase(settings)

submitted = topic(app, topics.CONTENT_SUBMITTED, settings)
accepted = topic(app, topics.CONTENT_ACCEPTED, settings)
dead_letters = DeadLetterSink("ingest", topics.CONTENT_SUBMITTED, app.topic(topics.CONTENT_SUBMITTED.dead_letter))

MAX_BATCH = 1000
FORWARDED = "content_forwarded"  # outbox record: this content id went downstream


async def accept(raw: bytes) -> str:
    """Store and forward one raw record; returns its content id. Raises InvalidRecord.

    Stored first (the insert is the duplicate check), forwarded second, and the forwarding is
    recorded in ``content_forwarded``. A duplicate finds both and is dropped; an item stored just
    before a crash is forwarded on replay, so nothing accepted is lost.
    """
    record = parse_model(ContentRecord, raw)
    content = db()["content"]
    document = stored_content(record, raw, utcnow())
    if not await insert_once(content, document):
        if await already_sent(db(), FORWARDED, record.content_id):
            log.info("duplicate dropped", extra={"fields": {"content_id": record.content_id}})
            return record.content_id
        document = await content.find_one({"_id": record.content_id})  # stored, then a crash
    event = accepted_event(document)

    async def forward() -> None:
        await (await accepted.send(key=event.content_id.encode(), value=event.model_dump_json().encode(), force=True))

    await send_and_record(db(), FORWARDED, event.content_id, forward)
    return event.content_id


@app.agent(submitted, concurrency=settings.agent_concurrency)
async def ingest_content(stream):
    async def handle(event):
        await accept(bytes(event.value))

    await process_events(stream, handle, dead_letters)


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
        results = []
        for record, raw in valid:
            await (await submitted.send(key=record.content_id.encode(), value=raw, force=True))
            results.append({"external_id": record.external_id, "content_id": record.content_id})
        return self.json({"accepted": results}, status=202)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
