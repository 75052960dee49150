"""The learning loop's rules (issue 21): which verdicts teach what, the held-out slice, the guard rails, the
promotion gate and the promotion history."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.agency_api.application import examples
from services.agency_api.application.errors import UseCaseError
from services.classify import learning
from shared.schemas import Classification, ContentRecord, Stance
from shared.stored import ClassifierExample

T0 = datetime(2024, 2, 1, tzinfo=timezone.utc)


def example(n: int, verdict: str = "verified", analyst: str = "analis-a (BKN)", content: str | None = None,
            minutes: int = 0) -> ClassifierExample:
    record = ContentRecord(source="x", external_id=content or f"p{n}", text=f"gibran sigma {n}")
    return ClassifierExample(case_id=f"al_{n:03d}", content_id=record.content_id, verdict=verdict,
                             stance=["capres-02+"] if verdict == "verified" else [], record=record.model_dump_json(),
                             form="social_media_campaign" if verdict == "verified" else "none", analyst=analyst,
                             agency_code="BPS", model_version="m0", model_partisan=False, at=T0 + timedelta(minutes=minutes))


def test_one_post_in_five_is_held_out_always_the_same_and_never_trained_on():
    chosen = learning.select([example(n) for n in range(200)])
    assert 25 <= len(chosen.held) <= 55 and len(chosen.train) + len(chosen.held) == 200
    assert not {e.case_id for e in chosen.held} & {e.case_id for e in chosen.train}
    assert learning.select([example(n) for n in range(200)]) == chosen


def test_the_latest_verdict_on_a_post_wins_and_excluded_analysts_teach_nothing():
    first, later = example(1, content="same"), example(2, "not_partisan", content="same", minutes=5)
    careless = example(3, analyst="ceroboh (BKN)")
    chosen = learning.select([later, first, careless], exclude_analysts=["ceroboh"])
    assert [e.case_id for e in chosen.train + chosen.held] == ["al_002"]
    assert (chosen.superseded, chosen.excluded) == (1, 1)


def test_an_example_trains_with_the_analysts_weight_and_label():
    verified, rejected = learning.as_training(example(1)), learning.as_training(example(2, "not_partisan"))
    assert verified.stance == frozenset({("capres-02", "support")}) and verified.weight == learning.ANALYST_WEIGHT
    assert rejected.stance == frozenset() and rejected.origin == "analysts"


def test_guard_rails_name_few_new_examples_and_a_single_analyst():
    used = [example(n) for n in range(5)]
    warnings = learning.guard_rails(used, already_used={"al_000"}, min_new=20)
    assert any("only 4 new example(s)" in w for w in warnings)
    assert any("one analyst (analis-a (BKN))" in w for w in warnings)
    two = used + [example(9, "not_partisan", analyst="analis-b (BKN)")]
    assert learning.guard_rails(two, set(), min_new=5) == []


@pytest.mark.parametrize("candidate, worse", [
    ({"f1": 0.987, "false_alarms": 0.012}, []),
    ({"f1": 0.984, "false_alarms": 0.016}, []),  # within the tolerance: one item in a few hundred
    ({"f1": 0.950, "false_alarms": 0.012}, ["test split: F1 0.950 < 0.987"]),
    ({"f1": 0.987, "false_alarms": 0.100}, ["test split: false alarms 0.100 > 0.012"]),
])
def test_a_candidate_worse_on_a_fixed_set_is_named(candidate, worse):
    active = {"test split": {"f1": 0.987, "false_alarms": 0.012}, "real dev half": {"skipped": "absent"}}
    assert learning.worse({"test split": candidate, "real dev half": {"skipped": "absent"}}, active) == worse


def test_held_out_examples_never_gate_a_promotion():
    bad = {"held-out examples": {"f1": 0.0, "false_alarms": 1.0}}
    assert learning.worse(bad, {"held-out examples": {"f1": 1.0, "false_alarms": 0.0}}) == []


def test_promotions_stack_and_rollbacks_step_back_to_the_shipped_model():
    history = [{"action": "promote", "version": "a"}, {"action": "promote", "version": "b"},
               {"action": "rollback", "version": "b"}, {"action": "rollback", "version": "a"},
               {"action": "rollback", "version": "shipped"}]
    assert [learning.active_after(history[:n], "shipped")[-1] for n in range(6)] == ["shipped", "a", "b", "a",
                                                                                      "shipped", "shipped"]


def test_figures_and_changed_decisions():
    exs = [learning.as_training(example(1)), learning.as_training(example(2, "not_partisan"))]
    yes = Classification(partisan=True, score=0.9, stance=[Stance(contestant="capres-02", polarity="support", score=0.9)],
                         form="social_media_campaign", model_version="m")
    no = Classification(partisan=False, score=0.1, model_version="m")
    assert learning.figures(exs, [yes, yes]) == {"items": 2, "precision": 0.5, "recall": 1.0, "f1": 0.667,
                                                  "false_alarms": 1.0, "stance": 1.0}
    changed = learning.changed_decisions(exs, [no, yes], [yes, no])
    assert (changed["now_right"], changed["now_wrong"]) == (2, 0)


def test_moved_features_rank_by_the_change_in_pull_towards_a_side():
    moved = learning.moved_features({"w:sigma": (0.0, 0.0, 0.0, 0.0), "w:x": (0.1, 0.2, 0.0, 0.0)},
                                    {"w:sigma": (-0.2, 0.3, 0.0, 0.0), "w:x": (0.1, 0.2, 0.0, 0.0)})
    assert moved == [{"feature": "w:sigma", "before": 0.0, "after": 0.5, "moved": 0.5}]


ALERT_CLS = Classification(partisan=True, score=0.9, form="engagement",
                           stance=[Stance(contestant="capres-01", polarity="oppose", score=0.8)], model_version="m")


class _Alert:
    def __init__(self, classification):
        self.classification = classification


def test_a_verified_case_teaches_the_confirmed_stance_and_form_or_the_classifiers():
    assert examples.confirmed_label(_Alert(ALERT_CLS), None, None) == (["capres-01-"], "engagement")
    assert examples.confirmed_label(_Alert(ALERT_CLS), [("capres-02", "support")], "partisan_photo") == (
        ["capres-02+"], "partisan_photo")


def test_verifying_a_report_the_classifier_did_not_flag_needs_the_stance_and_form():
    missed = Classification(partisan=False, score=0.5, model_version="m")
    with pytest.raises(UseCaseError) as exc:
        examples.confirmed_label(_Alert(missed), None, None)
    assert exc.value.field == "stance"
    with pytest.raises(UseCaseError) as exc:
        examples.confirmed_label(_Alert(missed), [("capres-02", "support")], None)
    assert exc.value.field == "form"


@pytest.mark.parametrize("ground, wrong_person, expected", [
    (None, False, "not_proven"), (None, True, "not_this_person"), ("not_partisan", False, "not_partisan"),
    ("not_this_person", True, "not_this_person"),
])
def test_rejection_grounds(ground, wrong_person, expected):
    assert examples.reject_ground(ground, wrong_person) == expected


def test_a_ground_contradicting_wrong_person_is_refused():
    with pytest.raises(UseCaseError):
        examples.reject_ground("not_partisan", True)
