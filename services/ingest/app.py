"""Ingest: validate and de-duplicate content, then hand it to classify (which keeps the text only if partisan).

Two doors, one path: upstream systems publish to ``pantau.content.submitted.v1`` or POST to
``/v1/content``; the HTTP handler only validates and publishes to that same topic, and the agent
below does the rest, a batch at a time (``services.ingest.domain.plan_forwarding`` decides what goes on).
"""
from __future__ import annotations

import hmac
import logging

from aiohttp.web import HTTPRequestEntityTooLarge
from faust.web import Request, Response, View

from services.ingest.domain import accepted_event, check_forwarded_size, check_record_size, plan_forwarding, split_body
from shared import topics
from shared.health import add_health_routes
from shared.kafka import InvalidRecord, batch_agent, make_app, parse_model
from shared.mongo import InFlight, LazyDatabase, insert_new, ping
from shared.schemas import ContentRecord, evidence_hash, utcnow
from shared.settings import get_settings
from shared.stage import Batch, Outgoing, kafka_publisher
from shared.stored import ContentKey

log = logging.getLogger("pantau.ingest")
settings = get_settings()
app = make_app("ingest", settings, web_port=settings.ingest_port)
db = LazyDatabase(settings)

publish = kafka_publisher(app)

MAX_BATCH = 1000
MAX_BODY_BYTES = 1024 * 1024  # aiohttp's client_max_size: a bigger body is never read
IN_FLIGHT = "ingest_in_flight"  # small: one mark per batch being stored and forwarded (shared.mongo.InFlight)


async def accept(batch: Batch[ContentRecord]) -> None:
    """Record and forward a batch of records; duplicates of already-forwarded items are dropped.

    Insert-only: the batch's in-flight mark goes in first, then each post's key (the insert is the
    duplicate check; the text is not stored here), then every new item is forwarded and the mark is
    deleted. A content id already recorded *and* named by an older mark was interrupted by a crash,
    perhaps before it was forwarded: it is forwarded now. So nothing accepted is lost, and a re-submission is one item.
    """
    now = utcnow()
    keys: dict[str, ContentKey] = {}
    events: dict[str, bytes] = {}
    for item in batch.items:
        cid = item.model.content_id
        if cid in keys:
            continue
        key = ContentKey.of(cid, evidence_hash(item.received.value), now)
        try:
            check_record_size(item.received.value)
            event = accepted_event(item.model, key, item.received.value).model_dump_json().encode()
            check_forwarded_size(event)
        except InvalidRecord as exc:
            batch.reject(item, exc)
            continue
        keys[cid], events[cid] = key, event
    in_flight = InFlight(db()[IN_FLIGHT])
    await in_flight.begin(keys)
    stored_before = await insert_new(db()[ContentKey.COLLECTION], [k.document() for k in keys.values()])
    forward, dropped = plan_forwarding(list(keys), stored_before, in_flight.interrupted(stored_before))
    await batch.publish([Outgoing(topics.CONTENT_ACCEPTED.name, cid.encode(), events[cid]) for cid in forward])
    await in_flight.end(keys)
    if dropped:
        log.info("duplicates dropped", extra={"fields": {"count": len(dropped)}})


batch_agent(app, "ingest", topics.CONTENT_SUBMITTED, ContentRecord, accept, settings)


def error_body(code: str, message: str, field: str | None = None, details: list | None = None) -> dict:
    """The one error shape of our HTTP APIs (``details``: one entry per bad record of a batch)."""
    return {"error": {"code": code, "message": message, "field": field, "details": details or []}}


def _key_accepted(presented: str) -> bool:
    keys = settings.ingest_keys
    # Every key compared, in constant time: the answer's timing says nothing about a key's prefix.
    return not keys or any([hmac.compare_digest(presented.encode(), key.encode()) for key in keys])


@app.page("/v1/content")
class ContentView(View):
    """POST one content record (an object) or a batch (an array); answers 202 with content ids.

    A batch is all-or-nothing: if any item is invalid, nothing is published and the 400 names
    each bad item by index and field. Each record is published as the exact bytes it was sent
    with, so its evidence hash is over what the sender sent.
    """

    async def post(self, request: Request) -> Response:
        presented = request.headers.get("X-API-Key") or request.headers.get("Authorization", "").removeprefix("Bearer ")
        if not _key_accepted(presented):
            return self.json(error_body("unauthorized", "missing or unknown API key (header X-API-Key)"), status=401)
        media_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return self.json(error_body("unsupported_media_type", "send the records as Content-Type: application/json",
                                        "Content-Type"), status=415)
        too_large = error_body("body_too_large", f"a request body may hold at most {MAX_BODY_BYTES:,} bytes; "
                               "send fewer records per request")
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return self.json(too_large, status=413)
        try:  # a chunked body has no length to check first: aiohttp stops reading at the limit
            body = await request.read()
        except HTTPRequestEntityTooLarge:
            return self.json(too_large, status=413)
        try:
            elements = split_body(body)
        except InvalidRecord as exc:
            return self.json(error_body(exc.error_type, exc.reason), status=400)
        if not elements or len(elements) > MAX_BATCH:
            return self.json(error_body("bad_batch", f"send between 1 and {MAX_BATCH} records per request"), status=400)
        problems, valid = [], []
        for index, raw in enumerate(elements):
            try:
                check_record_size(raw)
                valid.append((parse_model(ContentRecord, raw), raw))
            except InvalidRecord as exc:
                problems.append({"index": index, "reason": exc.reason, "fields": exc.fields})
        if problems:
            first = problems[0]["fields"][0] if problems[0]["fields"] else None
            return self.json(error_body("invalid_record", "some records are invalid; nothing was accepted", first,
                                        problems), status=400)
        await publish([Outgoing(topics.CONTENT_SUBMITTED.name, record.content_id.encode(), raw) for record, raw in valid])
        results = [{"external_id": record.external_id, "content_id": record.content_id} for record, _ in valid]
        return self.json({"accepted": results}, status=202)


async def readiness() -> dict[str, bool]:
    return {"mongodb": await ping(db())}


add_health_routes(app, readiness)
