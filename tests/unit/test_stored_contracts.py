"""The store's cross-service contracts (shared/stored.py): what a writer builds is what every reader parses,
and docs/contracts/collections.md names exactly the collections the models declare."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from shared import stored
from shared.schemas import Classification, ContentClassified, ContentRecord, FeatureExplanation, Match, Subject, evidence_hash
from shared.settings import REPO_ROOT
from tests.unit.notify.conftest import make_alert

NOW = datetime(2024, 2, 14, 8, 0, tzinfo=timezone.utc)
RECORD = ContentRecord(source="x", external_id="42", text="Coblos 02 ya!   " + "kata " * 80,
                       author={"handle": "rina_m", "display_name": "Rina Marlina"},
                       media=[{"type": "image", "caption": "salam dua jari"}])
RAW = RECORD.model_dump_json(exclude_defaults=True).encode()
CLASSIFICATION = Classification(partisan=True, score=0.9, form="social_media_campaign", model_version="t")
ITEM = ContentClassified(content_id=RECORD.content_id, evidence_sha256=evidence_hash(RAW), record=RECORD,
                         classification=CLASSIFICATION)
SUBJECT = Subject(nip="199002142019032011", name="Rina Marlina", agency_code="PEMKAB-3301",
                  agency_name="Pemerintah Kabupaten Cilacap")
ALERT = make_alert(nip="199002142019032011", created_at=NOW)
MATCH = Match(nip=SUBJECT.nip, band="review", score=0.78, subject=SUBJECT, author_key="x:rina_m",
              explanation=[FeatureExplanation(feature="name_similarity", score=0.8, detail="nama sama")])

WRITTEN = [
    stored.StoredContent.of(RECORD, RAW, NOW, CLASSIFICATION),
    stored.StoredClassification.of(RECORD.content_id, CLASSIFICATION, NOW, sent=True),
    stored.StoredClassification.of(RECORD.content_id, CLASSIFICATION.model_copy(update={"partisan": False}), NOW, sent=False),
    stored.MatchResult.of(RECORD.content_id, [MATCH], "reg-1", NOW),
    stored.MatchResult.of(RECORD.content_id, [MATCH], "reg-2", NOW, rescreen=True),
    stored.ReviewCandidate.of(ITEM, MATCH, 4, "reg-1", NOW),
    stored.Judgement.of(SUBJECT.nip, "x:rina_m", "analis-1", "orang lain", NOW),
    stored.ClassifierExample(case_id="al-1", content_id=RECORD.content_id, verdict="verified", stance=["capres-02+"],
                             form="social_media_campaign", record=RAW.decode(), analyst="analis-1 (BKN)",
                             agency_code="PEMKAB-3301", model_version="t", model_partisan=False, at=NOW),
    stored.ContentKey.of(RECORD.content_id, evidence_hash(RAW), NOW),
    stored.StoredAlert.of(ALERT, source="review"),
]


@pytest.mark.parametrize("written", WRITTEN, ids=lambda w: type(w).__name__)
def test_what_a_writer_stores_is_what_a_reader_parses(written):
    doc = written.document()
    assert "_id" in doc and all(isinstance(k, str) and not k.startswith("$") for k in doc)
    assert type(written).from_document(doc) == written
    assert type(written).from_document({**doc, "added_by_a_newer_writer": 1}) == written  # readers never break


@pytest.mark.parametrize("accessor, expected", [
    (lambda: stored.StoredContent.of(RECORD, RAW, NOW).record(), RECORD),
    (lambda: stored.StoredContent.of(RECORD, RAW, NOW).evidence_sha256, evidence_hash(RAW)),
    (lambda: WRITTEN[0].classified_as(), CLASSIFICATION),
    (lambda: WRITTEN[0].classified(), ITEM),  # what went to match, rebuilt from the kept post
    (lambda: stored.StoredContent.of(RECORD, RAW, NOW).classified(), None),
    (lambda: set(WRITTEN[2].document()) - {"_id", "partisan", "form", "score", "model_version", "classified_at", "sent"},
     set()),  # a summary: no evidence spans (the author's words) outside the post itself
    (lambda: stored.StoredClassification.from_document(json.loads(json.dumps(WRITTEN[1].row()))), WRITTEN[1]),  # a page row
    (lambda: stored.StoredContent.from_document(json.loads(json.dumps(WRITTEN[0].row()))), WRITTEN[0]),  # a page row
    (lambda: (WRITTEN[1].went_to_match, WRITTEN[2].went_to_match), (True, False)),
    (lambda: stored.StoredAlert.from_document({"_id": ALERT.alert_id, **ALERT.model_dump(mode="json")}).alert(),
     ALERT),  # an alert stored before StoredAlert still reads
    (lambda: WRITTEN[0].collection(), "content_d20240214"),
    (lambda: set(WRITTEN[8].document()), {"_id", "evidence_sha256", "received_at"}),  # a key holds no text, no author
    (lambda: WRITTEN[9].alert(), ALERT),
    (lambda: (WRITTEN[9].nip, WRITTEN[9].agency_code, WRITTEN[9].created_at), (ALERT.subject.nip, ALERT.agency_code, ALERT.created_at)),
    (lambda: WRITTEN[9].readable()["subject"]["nip"], ALERT.subject.nip),
    (lambda: WRITTEN[3].key, RECORD.content_id),
    (lambda: WRITTEN[4].key, f"{RECORD.content_id}@reg-2"),
    (lambda: WRITTEN[4].pairs(), {(SUBJECT.nip, "review")}),
    (lambda: stored.MatchResult.from_document(json.loads(json.dumps(WRITTEN[3].row()))), WRITTEN[3]),  # a page row
    (lambda: stored.MatchResult.nips_in(WRITTEN[3].row()), [SUBJECT.nip]),  # what a page is tagged with
    (lambda: stored.MatchResult.without({RECORD.content_id: {SUBJECT.nip}})(WRITTEN[3].row())["matches"], []),  # erased
    (lambda: stored.MatchResult.without({RECORD.content_id: {"199912312020121001"}})(WRITTEN[3].row()), WRITTEN[3].row()),
    (lambda: stored.MatchResult.without({"ct_other": {SUBJECT.nip}})(WRITTEN[4].row()), WRITTEN[4].row()),
    (lambda: stored.MatchResult.pairs_in(WRITTEN[4].row()), (RECORD.content_id, {(SUBJECT.nip, "review")})),
    (lambda: WRITTEN[5].review_id.startswith("rv-") and SUBJECT.nip not in WRITTEN[5].review_id, True),
    (lambda: len(WRITTEN[5].excerpt) <= stored.EXCERPT_CHARS and WRITTEN[5].excerpt.endswith("…"), True),
    (lambda: WRITTEN[5].match("analis-1", "unit cocok").explanation[-1].feature, "analyst_review"),
    (lambda: WRITTEN[5].match("analis-1", "unit cocok").band, "match"),
    (lambda: WRITTEN[6].key, f"{SUBJECT.nip}|x:rina_m"),
    (lambda: WRITTEN[7].content_record(), RECORD),
    (lambda: WRITTEN[7].stance_pairs(), frozenset({("capres-02", "support")})),
    (lambda: WRITTEN[7].partisan, True),
    (lambda: SUBJECT.nip in json.dumps(WRITTEN[7].document(), default=str), False),  # no NIP in an example
    # what a re-screen reads through its projection
    (lambda: stored.MatchResult.pairs_in({k: WRITTEN[4].document()[k] for k in ("_id", "content_id", "matches")}),
     (RECORD.content_id, {(SUBJECT.nip, "review")})),
])
def test_readers_accessors(accessor, expected):
    assert accessor() == expected


def test_time_fields_stay_dates_so_readers_can_filter_on_them():
    for written in WRITTEN:
        for name in ("received_at", "classified_at", "matched_at", "created_at", "at"):
            if isinstance(written, stored.StoredAlert):
                continue  # its time is the alert's own
            if name in type(written).model_fields:
                assert written.document()[name] == NOW


def test_the_collections_table_names_every_model_and_nothing_else():
    table = (REPO_ROOT / "docs" / "contracts" / "collections.md").read_text(encoding="utf-8")
    documented = {(m.group(1), m.group(2)) for m in re.finditer(r"^\| `(\w+)` \| `(\w+)` \|", table, re.M)}
    models = [stored.ContentKey, stored.StoredContent, stored.StoredClassification, stored.StoredAlert, stored.MatchResult,
              stored.ReviewCandidate, stored.Judgement, stored.ClassifierExample]
    declared = {(m.COLLECTION, m.__name__) for m in models} | {(stored.MatchResult.RESCREEN_COLLECTION, "MatchResult"),
                                                              (stored.StoredContent.CASE_COLLECTION, "StoredContent")}
    assert documented == declared
    assert set(models) == {c for c in vars(stored).values()
                           if isinstance(c, type) and issubclass(c, stored._Stored) and c is not stored._Stored}
