"""Applying the retention policy to the store and the broker: ``pantau retention status|run`` and the
dispatcher's daily run share these two functions.

Cost on FerretDB v1 (every filter reads the whole collection): the raw posts, the only large data,
go by dropping whole day buckets, which reads nothing. The rest is a handful of filtered reads and
deletes on collections that grow with cases, not with posts (cases, review candidates, the case
evidence, notification log, audit), once a day. The posts, alerts and content keys of the hot path
are never filtered.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from shared.alert_log import erase_alerts
from shared.evidence import content_days
from shared.logging import log_event
from shared.mongo import bulk_write_chunked, insert_new, retry_locked
from shared.pages import count_rows, read_rows, rewrite_rows
from shared.retention import Plan, RetentionPolicy, plan
from shared.schemas import as_aware, utcnow
from shared.stored import (ClassifierExample, ContentKey, MatchResult, ReviewCandidate, StoredAlert, StoredClassification,
                           StoredContent)

log = logging.getLogger("pantau.retention")

RUNS = "retention_runs"  # one document per run: what it did, for the audit trail
ERASED = "[dihapus sesuai kebijakan retensi]"
CLOSED_NOT_PROVEN = "closed_not_proven"  # includes a case an analyst rejected


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


LEGACY_CONTENT = "content"  # every raw post, as ingest stored them before the policy: migrated once


async def _needed_posts(db) -> set[str]:
    """Posts that must outlive their day: behind a case not yet erased, or behind a review candidate. A case
    opened before cases recorded their post names it through its alert."""
    needed, older = set(), []
    async for doc in db["cases"].find({}, {"content_id": 1, "erased_at": 1}):
        if doc.get("content_id"):
            needed.add(doc["content_id"])
        elif not doc.get("erased_at"):
            older.append(doc["_id"])
    for chunk in _chunks(older):
        needed |= {StoredAlert.from_document(doc).alert().content.content_id
                   async for doc in db[StoredAlert.COLLECTION].find({"_id": {"$in": chunk}})}
    needed |= {doc["content_id"] async for doc in db[ReviewCandidate.COLLECTION].find({}, {"content_id": 1})}
    return needed


async def _drop_content_days(db, steps: Plan, needed: set[str], names: list[str]) -> dict[str, int]:
    """Each due day (and the store's pre-policy ``content``, once) read once for what cases need, then dropped."""
    copied = dropped = 0
    due = [*steps.drop_content, *([LEGACY_CONTENT] if LEGACY_CONTENT in names else [])]
    for collection in due:
        keep, held = [], 0
        async for row in read_rows(db[collection], time_field=StoredContent.TIME_FIELD):  # a day, streamed
            held += 1
            if row["_id"] in needed:
                keep.append(row)
        if keep:
            await insert_new(db[StoredContent.CASE_COLLECTION], keep)
            copied += len(keep)
        dropped += held
        await db[collection].drop()
    return {"days_dropped": len(steps.drop_content), "posts_dropped": dropped - copied, "posts_kept_for_cases": copied}


async def _erase_cases(db, steps: Plan, now: datetime) -> list[str]:
    """Personal data of closed cases past their period: the case keeps its id, agency, status and dates.

    Everything else goes first and the case is marked erased last, so a run cut off half-way is finished by
    the next one (a marked case is never looked at again)."""
    due, people = [], {}  # people: content id -> the NIPs its erased cases named
    async for doc in db["cases"].find({}, {"status": 1, "closed_at": 1, "erased_at": 1, "nip": 1, "content_id": 1}):
        if doc.get("erased_at") or not doc.get("closed_at"):
            continue
        cutoff = steps.not_proven_before if doc.get("status") == CLOSED_NOT_PROVEN else steps.closed_before
        if as_aware(doc["closed_at"]) < cutoff:
            due.append(doc["_id"])
            if doc.get("nip") and doc.get("content_id"):
                people.setdefault(doc["content_id"], set()).add(doc["nip"])
    if not due:
        return []
    if people:  # the match results that named them (another person matched on the same post stays)
        nips = sorted({nip for named in people.values() for nip in named})
        for collection in (MatchResult.COLLECTION, MatchResult.RESCREEN_COLLECTION):
            await retry_locked(lambda: rewrite_rows(db[collection], MatchResult.naming(*nips), MatchResult.without(people),
                                                    time_field=MatchResult.TIME_FIELD, tags=MatchResult.nips_in))
    logged: dict[str, datetime] = {}  # the alert log files an alert by the alert's own time
    for chunk in _chunks(due):
        async for doc in db[StoredAlert.COLLECTION].find({"_id": {"$in": chunk}}):
            logged[doc["_id"]] = StoredAlert.from_document(doc).created_at
    await erase_alerts(db, logged)
    for chunk in _chunks(due):
        for collection, field in ((StoredAlert.COLLECTION, "_id"), (ClassifierExample.COLLECTION, "_id"),
                                  ("notify_items", "case_id"), ("notify_items_done", "case_id")):
            await retry_locked(lambda: db[collection].delete_many({field: {"$in": chunk}}))
        for collection in ("notify_log", "notify_failures"):  # an entry may also be another case's proof of sending
            await retry_locked(lambda: db[collection].update_many({"case_ids": {"$in": chunk}}, {"$set": {"body": ERASED}}))
    await retry_locked(lambda: bulk_write_chunked(db["cases"], [UpdateOne({"_id": case_id}, {
        "$set": {"nip": None, "text": ERASED, "labels": {}, "contestants": [], "region": None, "content_id": None,
                 "notes": [], "sanction": None, "assigned_to": None, "history": [], "erased_at": now},
        "$inc": {"version": 1}}) for case_id in due]))
    return due


async def _prune_case_content(db, needed: set[str]) -> int:
    stale = [doc["_id"] async for doc in db[StoredContent.CASE_COLLECTION].find({}, {"_id": 1})
             if doc["_id"] not in needed]
    for chunk in _chunks(stale):
        await db[StoredContent.CASE_COLLECTION].delete_many({"_id": {"$in": chunk}})
    return len(stale)


async def _delete_older(db, collection: str, field: str, before: datetime) -> int:
    result = await db[collection].delete_many({field: {"$lt": before}})
    return result.deleted_count


async def apply_kafka(settings, policy: RetentionPolicy) -> dict[str, int]:
    """Set retention.ms on every pipeline topic the policy names (and the dead-letter twins)."""
    from aiokafka.admin import AIOKafkaAdminClient, ConfigResource, ConfigResourceType

    from shared.kafka_client import client_options

    admin = AIOKafkaAdminClient(**client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {name: ms for name in existing if (ms := policy.kafka_retention_ms(name)) is not None}
        if wanted:
            await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs={"retention.ms": str(ms)})
                                       for name, ms in sorted(wanted.items())])
        return wanted
    finally:
        await admin.close()


async def run(db, policy: RetentionPolicy, as_of: datetime | None = None, settings=None) -> dict[str, Any]:
    """One retention run as if at ``as_of`` (default now); returns and records what it did."""
    now = utcnow()
    as_of = as_of or now
    names = await db.list_collection_names()
    steps = plan(policy, names, as_of)
    erased = await _erase_cases(db, steps, now)
    needed = await _needed_posts(db)
    report: dict[str, Any] = {"as_of": as_of, "ran_at": now, **await _drop_content_days(db, steps, needed, names),
                              "cases_erased": len(erased)}
    report["case_posts_released"] = await _prune_case_content(db, needed)
    report["review_candidates_deleted"] = await _delete_older(db, ReviewCandidate.COLLECTION, "created_at",
                                                              steps.review_candidates_before)
    report["notification_log_deleted"] = sum([
        await _delete_older(db, "notify_log", "created_at", steps.notification_log_before),
        await _delete_older(db, "notify_items_done", "created_at", steps.notification_log_before),
    ])
    report["audit_deleted"] = await _delete_older(db, "audit", "at", steps.audit_before)
    if settings is not None:
        report["kafka_topics_set"] = len(await apply_kafka(settings, policy))
    await db[RUNS].insert_one({"_id": f"{now.isoformat()}", **report})
    log_event(log, "retention run", **{k: v for k, v in report.items() if isinstance(v, int)})
    return report


async def status(db, policy: RetentionPolicy, as_of: datetime | None = None) -> dict[str, Any]:
    """What is held, per class and age: counts, and for the paged collections their pages' row ids (FerretDB
    still reads each page whole to project them: a status of a large store takes a while)."""
    as_of = as_of or utcnow()
    days = await content_days(db)
    steps = plan(policy, [name for _, name in days], as_of)

    async def count(collection: str) -> int:
        return await db[collection].estimated_document_count()

    last = await db[RUNS].find({}).sort([("_id", -1)]).limit(1).to_list(None)
    return {
        "as_of": as_of,
        "policy": dict(policy.rows()),
        "posts_received": await count(ContentKey.COLLECTION),
        "classifications": await count_rows(db[StoredClassification.COLLECTION]),
        "raw_posts_by_day": [{"day": day.isoformat(), "posts": await count_rows(db[name]), "due": name in steps.drop_content}
                             for day, name in days],
        "posts_behind_cases": await count(StoredContent.CASE_COLLECTION),
        "cases": await count("cases"),
        "alerts": await count("alerts"),
        "review_candidates": await count(ReviewCandidate.COLLECTION),
        "audit_entries": await count("audit"),
        "last_run": last[0] if last else None,
    }
