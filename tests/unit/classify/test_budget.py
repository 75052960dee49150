"""The per-record time budget: over it, a refusal naming the budget; within it, the result."""
from __future__ import annotations

from services.classify.budget import within_budget
from shared.stage import InvalidRecord


def test_records_over_the_budget_are_refused_and_the_rest_keep_their_results():
    ticks = iter([0.0, 0.1, 1.0, 3.5, 4.0, 4.2])  # costs: 0.1 s, 2.5 s, 0.2 s
    out = within_budget(["a", "b", "c"], str.upper, budget_s=2.0, clock=lambda: next(ticks))
    assert [item for item, _ in out] == ["a", "b", "c"]
    assert out[0][1] == "A" and out[2][1] == "C"
    refusal = out[1][1]
    assert isinstance(refusal, InvalidRecord) and refusal.error_type == "too_costly"
    assert "2.50 s" in refusal.reason and "PANTAU_CLASSIFY_BUDGET_MS" in refusal.reason


def test_a_real_partisan_wall_fits_the_default_budget():
    from services.classify.domain.classifier import Classifier
    from shared.schemas import ContentRecord
    from shared.settings import Settings

    record = ContentRecord(source="x", external_id="w", text="Coblos nomor 2! Prabowo-Gibran #PrabowoGibran2024 " * 3000)
    [(_, result)] = within_budget([record], Classifier.from_config().classify, Settings().classify_budget_ms / 1000)
    assert not isinstance(result, InvalidRecord) and result.partisan
