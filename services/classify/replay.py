"""``pantau classify replay --since DATE``: stored content classified again with the active model, when an
operator asks (a promotion never re-classifies old content by itself).

Posts the active model now finds partisan and that never went to match are sent on
(``pantau.content.classified.v1``, their classification naming the new model version): match and notify treat
them as any other, and alert ids are deterministic, so a repeated replay alerts nobody twice. Posts it no
longer finds partisan are counted and listed, never withdrawn: their cases stay with the analysts. The stored
classification of record stays the first one (insert-only); the report says what changed.

Only posts still kept can be replayed: under ``config/retention.yaml`` those sent on to match within
``rescreen_days`` (every post only when ``keep_raw_not_partisan`` is on), so a replay finds what a new model
no longer flags; the text of posts never flagged is not kept to look at again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.classify.domain.classifier import Classifier
from shared.schemas import ContentClassified
from shared.evidence import content_days, read_day
from shared.pages import read_rows
from shared.retention import day_of
from shared.stored import StoredClassification


@dataclass
class ReplayReport:
    model_version: str
    since: datetime
    read: int = 0
    unchanged: int = 0
    now_partisan: list[str] = field(default_factory=list)  # content ids sent on to match
    no_longer_partisan: list[str] = field(default_factory=list)  # content ids, nothing withdrawn

    def as_dict(self) -> dict:
        return {"model_version": self.model_version, "since": self.since.isoformat(), "read": self.read,
                "unchanged": self.unchanged, "now_partisan": self.now_partisan,
                "no_longer_partisan": self.no_longer_partisan}


async def replay(db, classifier: Classifier, since: datetime) -> tuple[ReplayReport, list[tuple[bytes, bytes]]]:
    """The report and the (key, value) messages to send; reads each collection once."""
    report = ReplayReport(classifier.model_version, since)
    contents = [post for day, name in await content_days(db) if day >= day_of(since)
                for post in await read_day(db, name) if post.received_at >= since]
    ids = [c.content_id for c in contents]
    flagged_before = {row["_id"]: row["partisan"] async for row in read_rows(
        db[StoredClassification.COLLECTION], ids=ids, time_field=StoredClassification.TIME_FIELD)} if ids else {}
    messages = []
    for content in contents:
        report.read += 1
        record = content.record()
        result = classifier.classify(record)
        flagged = flagged_before.get(content.content_id, False)
        if result.partisan and not (flagged or record.reported):  # it never went to match
            report.now_partisan.append(content.content_id)
            item = ContentClassified(content_id=content.content_id, evidence_sha256=content.evidence_sha256,
                                     record=record, classification=result)
            messages.append((content.content_id.encode(), item.model_dump_json().encode()))
        elif flagged and not result.partisan:
            report.no_longer_partisan.append(content.content_id)
        else:
            report.unchanged += 1
    return report, messages
