"""Documents one service stores and another reads, declared once (as ``shared.schemas`` declares the topics).

Each model is a collection's contract: its writer builds documents only through ``of(...)`` and
``document()``, its readers only through ``from_document(...)`` and the accessors, so a change of
layout is a change here that every side sees. ``docs/contracts/collections.md`` lists collection,
writer, readers and retention.

What a reader queries stays a top-level field; the rest is kept as a JSON string where FerretDB writes
a nested document several times slower (the figures are on each model).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.retention import CONTENT_PREFIX, bucket_name
from shared.schemas import Alert, Classification, ContentClassified, ContentRecord, FeatureExplanation, Match, Subject, evidence_hash

EXCERPT_CHARS = 280


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """The post as an analyst first sees it: one line, at most ``limit`` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


@lru_cache(maxsize=4096)  # the matcher writes it into every name feature's explanation
def holders_text(holders: int | None) -> str:
    """For people (Indonesian): how common a name is in the registry ("nama ini dimiliki ±1.234 ASN")."""
    if holders is None:
        return "frekuensi nama tidak diketahui"
    return f"nama ini dimiliki \u00b1{holders:,} ASN".replace(",", ".")


class _Stored(BaseModel):
    """A stored document: ``_id`` is the model's key field; unknown top-level fields (written by an older or
    newer version) are ignored rather than refused. Nested records keep their own schemas' rules."""
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")
    COLLECTION: ClassVar[str]

    def document(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)

    def row(self) -> dict[str, Any]:
        """The document as a row of a page (``shared.pages``): JSON values."""
        return self.model_dump(by_alias=True, mode="json")

    @classmethod
    def from_document(cls, doc: dict[str, Any]):
        return cls.model_validate(doc)


class ContentKey(_Stored):
    """``content_keys``: one small document per accepted post, kept for the deployment: the duplicate check
    (the insert is the check) and the audit trail of what arrived. Writer: ingest. No text, no author.

    Why separate from the post: most posts are not partisan, and their text is never stored
    (``config/retention.yaml``); what stays is this key and the classification summary."""
    COLLECTION: ClassVar[str] = "content_keys"
    content_id: str = Field(alias="_id")
    evidence_sha256: str
    received_at: datetime

    @classmethod
    def of(cls, content_id: str, evidence_sha256: str, received_at: datetime) -> ContentKey:
        return cls(content_id=content_id, evidence_sha256=evidence_sha256, received_at=received_at)


class StoredContent(_Stored):
    """``content_dYYYYMMDD`` (one collection per received day, UTC): the post kept as the bytes received (the
    evidence). Writer: classify, for partisan posts only unless the policy keeps every raw post, a batch's
    posts of one day as one page (``shared.pages``; readers go through ``shared.evidence``). A day is
    dropped whole once re-screening no longer reads it (``shared.retention``); posts behind a case or an
    open review are first copied to ``case_content``. Readers: the agency API (a review accepted becomes a
    case), the desk (media on the case page), match (re-screening).

    No nested copy of the record: on FerretDB it costs nearly three times the write (3,900 against
    10,700 documents/s measured, batches of 500)."""
    COLLECTION: ClassVar[str] = "content_dYYYYMMDD"
    CASE_COLLECTION: ClassVar[str] = "case_content"
    content_id: str = Field(alias="_id")
    source: str
    external_id: str
    raw: str
    evidence_sha256: str
    received_at: datetime
    classification: str | None = None  # the Classification as JSON: its evidence spans go with the post
    TIME_FIELD: ClassVar[str] = "received_at"

    def row(self) -> dict[str, Any]:
        """The post as a row of its day's pages (JSON values)."""
        return self.model_dump(by_alias=True, mode="json", exclude_none=True)

    @classmethod
    def of(cls, record: ContentRecord, raw: bytes, received_at: datetime,
           classification: Classification | None = None) -> StoredContent:
        return cls(content_id=record.content_id, source=record.source, external_id=record.external_id,
                   raw=raw.decode("utf-8", errors="replace"), evidence_sha256=evidence_hash(raw), received_at=received_at,
                   classification=classification.model_dump_json() if classification is not None else None)

    def classified_as(self) -> Classification | None:
        return Classification.model_validate_json(self.classification) if self.classification else None

    @staticmethod
    def collection_for(received_at: datetime) -> str:
        return bucket_name(CONTENT_PREFIX, received_at)

    def collection(self) -> str:
        return self.collection_for(self.received_at)

    def record(self) -> ContentRecord:
        return ContentRecord.model_validate_json(self.raw)

    def classified(self) -> ContentClassified | None:
        """What classify sent to match for this post, rebuilt from what is kept (None: not classified here)."""
        classification = self.classified_as()
        return None if classification is None else ContentClassified(
            content_id=self.content_id, evidence_sha256=self.evidence_sha256, record=self.record(),
            classification=classification)


class StoredClassification(_Stored):
    """``classifications``: one summary per classified post, kept for the deployment (statistics, audit,
    re-screening). Writer: classify, a batch's summaries as one page (``shared.pages``: a post's id is a hash,
    and a million hashed ids in one index cost more than the summaries). Readers, through ``shared.pages``:
    match (re-screening: those ``sent``, with their post and its classification from ``content_d*``),
    ``pantau classify replay``, ``pantau retention status``.

    No evidence spans: they are the author's words, kept only with the post itself (``StoredContent``), for as
    long as the policy keeps the post."""
    COLLECTION: ClassVar[str] = "classifications"
    content_id: str = Field(alias="_id")
    partisan: bool
    form: str
    score: float
    model_version: str
    classified_at: datetime
    sent: bool = False

    @classmethod
    def of(cls, content_id: str, result: Classification, now: datetime, sent: bool) -> StoredClassification:
        """``sent``: the post travelled on to match (partisan, or reported by a person)."""
        return cls(content_id=content_id, partisan=result.partisan, form=result.form, score=result.score,
                   model_version=result.model_version, classified_at=now, sent=sent)

    TIME_FIELD: ClassVar[str] = "classified_at"

    @property
    def went_to_match(self) -> bool:
        """What re-screening takes: ``sent``, or ``partisan`` in a summary written before ``sent`` existed."""
        return self.sent or self.partisan


class StoredAlert(_Stored):
    """``alerts``: every alert as notify built it, insert-only (the insert is the duplicate check). Writers: the
    notify stage, the agency API (an accepted review: ``source`` "review"). Readers: the agency API and desk,
    the dispatcher's safety net, `pantau subject report`, the retention run.

    The alert is one JSON string (``body``): as a nested document FerretDB writes it at about twice the bytes
    (8.2 against 4.3 KB measured), and alerts were the largest write of the pipeline. What is filtered on
    stays top-level: agency, NIP, time."""
    COLLECTION: ClassVar[str] = "alerts"
    alert_id: str = Field(alias="_id")
    agency_code: str
    nip: str
    created_at: datetime
    source: str = "pipeline"
    body: str

    @classmethod
    def of(cls, alert: Alert, source: str = "pipeline") -> StoredAlert:
        return cls(alert_id=alert.alert_id, agency_code=alert.agency_code, nip=alert.subject.nip,
                   created_at=alert.created_at, source=source, body=alert.model_dump_json())

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> StoredAlert:
        """Also an alert stored before this model (the alert's fields nested in the document)."""
        if "body" not in doc:
            legacy = Alert.model_validate({k: v for k, v in doc.items() if k in Alert.model_fields})
            return cls.of(legacy, doc.get("source", "pipeline"))
        return super().from_document(doc)

    def alert(self) -> Alert:
        return Alert.model_validate_json(self.body)

    def readable(self) -> dict[str, Any]:
        """The document with the alert as an object (a data-subject report, exports)."""
        return {"_id": self.alert_id, "source": self.source, **json.loads(self.body)}


class MatchResult(_Stored):
    """``matches`` (and ``rescreen_matches``, keyed ``<content id>@<registry version>``): what the matcher
    found for a post. Writer: match, a batch's results as one page (``shared.pages``, tagged with the NIPs
    they name). Readers, through ``shared.pages``: match (a re-screen alerts only on pairs not found before),
    ``pantau subject report``."""
    COLLECTION: ClassVar[str] = "matches"
    RESCREEN_COLLECTION: ClassVar[str] = "rescreen_matches"
    key: str = Field(alias="_id")
    content_id: str
    matches: list[Match]
    registry_version: str
    matched_at: datetime
    rescreen: bool = False

    @classmethod
    def of(cls, content_id: str, matches: list[Match], registry_version: str, now: datetime,
           rescreen: bool = False) -> MatchResult:
        key = f"{content_id}@{registry_version}" if rescreen else content_id
        return cls(key=key, content_id=content_id, matches=matches, registry_version=registry_version,
                   matched_at=now, rescreen=rescreen)

    TIME_FIELD: ClassVar[str] = "matched_at"

    def document(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json") | {"matched_at": self.matched_at}

    @staticmethod
    def nips_in(row: dict[str, Any]) -> list[str]:
        """The people a stored result names (a page's tags: a data-subject report finds them)."""
        return [m["nip"] for m in row.get("matches") or []]

    @staticmethod
    def naming(*nips: str) -> dict[str, Any]:
        """The store's clause for pages, and documents from before pages, that name one of ``nips``."""
        return {"$or": [{"tags": {"$in": list(nips)}}, {"matches.nip": {"$in": list(nips)}}]}

    @staticmethod
    def without(people: dict[str, set[str]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """A row edit that drops the matches of ``people`` (content id -> NIPs) and keeps the rest of the row."""
        def edit(row: dict[str, Any]) -> dict[str, Any]:
            gone = people.get(row.get("content_id") or row["_id"])
            kept = [m for m in row.get("matches") or [] if not gone or m["nip"] not in gone]
            return row if len(kept) == len(row.get("matches") or []) else {**row, "matches": kept}
        return edit

    def pairs(self) -> set[tuple[str, str]]:
        """(nip, band) of every match: what a re-screen compares against."""
        return {(m.nip, m.band) for m in self.matches}

    @staticmethod
    def pairs_in(doc: dict[str, Any]) -> tuple[str, set[tuple[str, str]]]:
        """(content id, ``pairs()``) of a stored row, without validating every match: a re-screen reads
        thousands, and an old document must not stop it."""
        return doc.get("content_id") or doc["_id"], {(m["nip"], m["band"]) for m in doc.get("matches") or []}


class ReviewCandidate(_Stored):
    """``review_candidates``: one per review-band (post, person), for the analysts' queue. Writer: match
    (insert-only, so a replay or re-screen keeps the analyst's decision, which lives in
    ``review_decisions``). Readers: the agency API and the desk.

    The id is deterministic and carries no NIP (it appears in URLs)."""
    COLLECTION: ClassVar[str] = "review_candidates"
    review_id: str = Field(alias="_id")
    status: Literal["open"] = "open"
    content_id: str
    nip: str
    author_key: str = ""
    score: float
    source: str
    external_id: str
    url: str | None = None
    author: dict[str, str | None] = Field(default_factory=dict)
    excerpt: str = ""
    subject: Subject | None = None
    agency_code: str | None = None
    explanation: list[FeatureExplanation] = Field(default_factory=list)
    name_frequency: int | None = None
    classification: dict[str, Any] = Field(default_factory=dict)
    registry_version: str
    created_at: datetime

    @staticmethod
    def id_for(content_id: str, nip: str) -> str:
        return "rv-" + hashlib.sha256(f"{content_id}|{nip}".encode()).hexdigest()[:24]

    @classmethod
    def of(cls, item: ContentClassified, match: Match, frequency: int | None, registry_version: str,
           now: datetime) -> ReviewCandidate:
        record = item.record
        return cls(review_id=cls.id_for(item.content_id, match.nip), content_id=item.content_id, nip=match.nip,
                   author_key=match.author_key, score=match.score, source=record.source,
                   external_id=record.external_id, url=record.url,
                   author={"handle": record.author.handle, "display_name": record.author.display_name},
                   excerpt=excerpt(record.text), subject=match.subject,
                   agency_code=match.subject.agency_code if match.subject else None,
                   explanation=match.explanation, name_frequency=frequency,
                   classification={"score": item.classification.score, "form": item.classification.form},
                   registry_version=registry_version, created_at=now)

    def document(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json") | {"created_at": self.created_at}

    def match(self, analyst: str, reason: str) -> Match:
        """The candidate as a match an analyst has confirmed: the matcher's explanation plus the verdict."""
        verdict = FeatureExplanation(feature="analyst_review", score=1.0, detail=f"diterima analis {analyst}: {reason}")
        return Match(nip=self.nip, band="match", score=self.score, explanation=[*self.explanation, verdict],
                     subject=self.subject, author_key=self.author_key)


class Judgement(_Stored):
    """``judgements``: an analyst's "not this person" for an (author, NIP) pair. Writer: the agency API
    (a review or a case rejected as the wrong person). Reader: match, which never pairs them again."""
    COLLECTION: ClassVar[str] = "judgements"
    key: str = Field(alias="_id")
    nip: str
    author_key: str
    verdict: Literal["not_this_person"] = "not_this_person"
    reviewer: str
    reason: str
    at: datetime

    @classmethod
    def of(cls, nip: str, author_key: str, reviewer: str, reason: str, now: datetime) -> Judgement:
        return cls(key=f"{nip}|{author_key}", nip=nip, author_key=author_key, reviewer=reviewer, reason=reason, at=now)


class ClassifierExample(_Stored):
    """``classifier_examples``: an analyst's verdict on a case as a label for the classifier (issue 21). Writer:
    the agency API (a case verified: partisan, with the stance and form the analyst confirmed; a case rejected
    as not partisan: a negative). Reader: ``pantau classify retrain|examples``. "Not this person" and "not
    proven" teach nothing about the post, so they write nothing.

    One per case (``_id`` = case id), insert-only; the post is kept as its record's JSON (the model reads every
    field) beside the case it came from, so it follows that case's retention. No NIP or name of the subject."""
    COLLECTION: ClassVar[str] = "classifier_examples"
    case_id: str = Field(alias="_id")
    content_id: str
    verdict: Literal["verified", "not_partisan"]
    stance: list[str] = Field(default_factory=list)  # "capres-02+" / "capres-02-" (the training label codes)
    form: str = "none"
    record: str
    analyst: str
    agency_code: str
    model_version: str  # what classified the post when the case opened
    model_partisan: bool  # and what it said
    at: datetime

    @property
    def partisan(self) -> bool:
        return self.verdict == "verified"

    def content_record(self) -> ContentRecord:
        return ContentRecord.model_validate_json(self.record)

    def stance_pairs(self) -> frozenset[tuple[str, str]]:
        """{(contestant, "support"|"oppose")}, as the training data spells a stance."""
        return frozenset((code[:-1], "support" if code[-1] == "+" else "oppose") for code in self.stance)
