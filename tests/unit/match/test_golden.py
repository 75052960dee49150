"""Golden cases (``golden.py``) and the quality scorecard."""
from __future__ import annotations

import pytest

from services.match.domain.engine import MatchEngine
from shared.schemas import ContentRecord

from .golden import CASES, P, Case


def outcome(engine: MatchEngine, case: Case) -> list[tuple[str, str, float]]:
    record = ContentRecord.model_validate(case.record())
    return [(m.nip, m.band, m.score) for m in engine.match(record)]


def check(case: Case, results: list[tuple[str, str, float]]) -> str | None:
    """None when the case holds, else what went wrong."""
    target = P[case.who].nip if case.who != "*" else None
    mine = [r for r in results if r[0] == target] if target else results
    bands = {band for _, band, _ in mine}
    if case.expect == "match" and "match" not in bands:
        return f"expected match, got {bands or 'nothing'}"
    if case.expect == "found" and not bands:
        return "expected match or review, got nothing"
    if case.expect == "review" and bands != {"review"}:
        return f"expected review, got {bands or 'nothing'}"
    if case.expect == "no_match" and "match" in bands:
        return "expected no match"
    if case.expect == "none" and mine:
        return f"expected no result, got {bands}"
    if case.common and any(band == "match" for _, band, _ in results):
        return "a common name without corroboration became match"
    if sum(band == "match" for _, band, _ in results) > 1:
        return "two `match` results for one author of one post"
    for key in case.at_most_review:
        if (P[key].nip, "match") in {(nip, band) for nip, band, _ in results}:
            return f"{key} is `match` although the author is identified by an exact key"
    return None


def test_table_size_and_hard_negatives() -> None:
    assert len(CASES) >= 150
    kinds = {c.id.split("-", 1)[1] if "-" in c.id else c.id for c in CASES}
    assert sum(c.expect in ("no_match", "none") for c in CASES) >= 60
    assert any("near" in k for k in kinds) and any("elsewhere" in k for k in kinds)
    assert any(c.common for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(golden_engine: MatchEngine, case: Case) -> None:
    problem = check(case, outcome(golden_engine, case))
    assert problem is None, problem


def scorecard(engine: MatchEngine) -> dict[str, float]:
    positives = found = 0
    match_total = match_correct = 0
    common_matches = 0
    for case in CASES:
        results = outcome(engine, case)
        target = P[case.who].nip if case.who != "*" else None
        if case.expect in ("match", "found", "review"):
            positives += 1
            found += any(nip == target for nip, _, _ in results)
        for nip, band, _ in results:
            if band == "match":
                match_total += 1
                match_correct += nip == target and case.expect in ("match", "found")
        if case.common:
            common_matches += any(band == "match" for _, band, _ in results)
    return {
        "cases": len(CASES),
        "positives": positives,
        "recall_match_or_review": found / positives,
        "match_results": match_total,
        "precision_match": match_correct / match_total if match_total else 1.0,
        "common_name_matches": common_matches,
    }


def test_scorecard(golden_engine: MatchEngine) -> None:
    card = scorecard(golden_engine)
    print("scorecard", card)
    assert card["precision_match"] >= 0.98, card
    assert card["recall_match_or_review"] >= 0.95, card
    assert card["common_name_matches"] == 0, card
