"""The match service's pure parts: review-queue documents, published results, re-screen filter."""
from __future__ import annotations

from datetime import datetime, timezone

from services.match.domain.engine import MatchEngine
from services.match.worker import (
    match_batch, matched_messages, new_results, result_rows, review_candidate_documents,
)
from shared.schemas import Classification, ContentClassified, ContentMatched, ContentRecord
from shared.stored import MatchResult, ReviewCandidate

from .golden import P

NOW = datetime(2024, 1, 10, tzinfo=timezone.utc)
CLASSIFICATION = Classification(partisan=True, score=0.9, form="social_media_campaign", model_version="t")


def item(external_id: str, text: str = "Ayo coblos 02!", **author) -> ContentClassified:
    record = ContentRecord.model_validate({"source": author.pop("source", "instagram"), "external_id": external_id,
                                           "text": text, "author": author})
    return ContentClassified(content_id=record.content_id, evidence_sha256="0" * 64, record=record,
                             classification=CLASSIFICATION)


def test_review_candidates_one_per_content_and_person(golden_engine: MatchEngine) -> None:
    long_text = "Dukung 02 " * 60
    items = [item("r1", long_text, display_name="Budi Santoso", bio="Bantul"),  # several Budi: review only
             item("r2", handle="budi.santoso80")]  # exact handle: match, not a review candidate
    results = match_batch(golden_engine, items)
    docs = review_candidate_documents(golden_engine, results, NOW)
    assert docs and all(d["content_id"] == items[0].content_id and d["status"] == "open" for d in docs)
    assert len({d["_id"] for d in docs}) == len(docs)
    for doc in docs:
        assert doc["_id"] == ReviewCandidate.id_for(doc["content_id"], doc["nip"]) and doc["nip"] not in doc["_id"]
        assert len(doc["excerpt"]) <= 280 and doc["excerpt"].endswith("…")
        assert doc["name_frequency"] >= 2
        assert doc["subject"]["nip"] == doc["nip"] and doc["agency_code"] == doc["subject"]["agency_code"]
        assert doc["explanation"] and doc["registry_version"] == "golden"
        assert ReviewCandidate.from_document(doc).document() == doc  # what the readers parse is what was written
    # Same input, same documents (a replay inserts nothing new).
    assert review_candidate_documents(golden_engine, match_batch(golden_engine, items), NOW) == docs


def test_only_items_with_results_are_published(golden_engine: MatchEngine) -> None:
    items = [item("p1", handle="budi.santoso80"), item("p2", display_name="Bambang Sutejo Wiryawan")]
    results = match_batch(golden_engine, items)
    [message] = matched_messages(golden_engine, results)
    out = ContentMatched.model_validate_json(message.value)
    assert out.content_id == items[0].content_id and out.matches[0].nip == P["budi_bantul"].nip
    docs = result_rows(golden_engine, results, NOW, rescreen=True)
    assert [d["_id"] for d in docs] == [f"{i.content_id}@golden" for i in items]
    stored = [MatchResult.from_document(d) for d in docs]
    assert [r.pairs() for r in stored] == [{(m.nip, m.band) for m, _ in matches} for _, matches in results]


def test_rescreen_publishes_only_what_is_new(golden_engine: MatchEngine) -> None:
    items = [item("n1", handle="budi.santoso80"), item("n2", handle="madesuartana")]
    results = match_batch(golden_engine, items)
    previous = {items[0].content_id: {(P["budi_bantul"].nip, "match")}}
    assert [i.content_id for i, _ in new_results(results, previous)] == [items[1].content_id]
    # A person who was `review` before and is `match` now is new (it opens an alert).
    previous[items[1].content_id] = {(P["made"].nip, "review")}
    assert [i.content_id for i, _ in new_results(results, previous)] == [items[1].content_id]
