"""The learning loop's rules, pure (no store, no scikit-learn): which analysts' examples train a candidate and
which are held out, the guard rails a retrain reports, the figures a model earns on a set, the promotion gate,
the promotion history, and what moved between two models.

Why a held-out slice: figures on examples the candidate was trained on say nothing; one example in
``HELD_OUT_EVERY`` (chosen by a hash of its post, so the same example is always on the same side) is never
trained on and always evaluated. Why a gate on fixed sets: a handful of verdicts must not buy a model that is
worse on the sets every version is measured on.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.classify.training_data import Example
from shared.schemas import Classification
from shared.stored import ClassifierExample, excerpt

HELD_OUT_EVERY = 5
ANALYST_WEIGHT = 3.0  # a verdict on real traffic by someone who knows the law weighs more than one crawl label
MIN_NEW_EXAMPLES = 20  # fewer new examples than this since the active model: the report says so
TOLERANCE = 0.005  # "not worse": F1 may drop and false alarms rise by at most this (one item in 200)
FIXED_SETS = ("test split", "real dev half")


def held_out(content_id: str) -> bool:
    return int(hashlib.sha256(content_id.encode()).hexdigest()[:8], 16) % HELD_OUT_EVERY == 0


@dataclass(frozen=True)
class Selection:
    """The stored examples a retrain uses: ``train`` and ``held`` (the held-out slice), and what it left out."""
    train: list[ClassifierExample]
    held: list[ClassifierExample]
    excluded: int  # examples of excluded analysts
    superseded: int  # older verdicts on a post a later verdict labelled again


def select(examples: Iterable[ClassifierExample], exclude_analysts: Iterable[str] = ()) -> Selection:
    """The latest verdict per post (cases of several people over one post are one example), without the
    excluded analysts' (named as ``pantau classify examples`` lists them, or by their label alone)."""
    excluded_names = set(exclude_analysts)
    kept, excluded = [], 0
    for ex in examples:
        if ex.analyst in excluded_names or ex.analyst.split(" (")[0] in excluded_names:
            excluded += 1
        else:
            kept.append(ex)
    latest: dict[str, ClassifierExample] = {}
    for ex in sorted(kept, key=lambda e: (e.at, e.case_id)):
        latest[ex.content_id] = ex
    chosen = sorted(latest.values(), key=lambda e: e.case_id)
    return Selection([e for e in chosen if not held_out(e.content_id)], [e for e in chosen if held_out(e.content_id)],
                     excluded, len(kept) - len(chosen))


def as_training(ex: ClassifierExample) -> Example:
    return Example(ex.content_record(), ex.stance_pairs() if ex.partisan else frozenset(), ANALYST_WEIGHT, "analysts")


def guard_rails(used: Sequence[ClassifierExample], already_used: set[str], min_new: int = MIN_NEW_EXAMPLES) -> list[str]:
    """What a reader of the report must know before trusting the candidate."""
    warnings = []
    new = [e for e in used if e.case_id not in already_used]
    if len(new) < min_new:
        warnings.append(f"only {len(new)} new example(s) since the active model (fewer than {min_new}): "
                        "the candidate differs little, and its figures on them say little")
    analysts = {e.analyst for e in used}
    if len(analysts) == 1:
        warnings.append(f"every example comes from one analyst ({next(iter(analysts))}): one reviewer's habits "
                        "become the model's (--exclude-analyst leaves someone out)")
    if used and not any(e.partisan for e in used):
        warnings.append("no verified (partisan) example: the candidate can only learn to flag less")
    return warnings


def figures(examples: Sequence[Example], results: Sequence[Classification]) -> dict:
    """Partisan precision/recall/F1, false alarms on the non-partisan items, stance right on the hits."""
    tp = fp = fn = neg = stance_ok = 0
    for ex, res in zip(examples, results):
        tp += ex.partisan and res.partisan
        fp += (not ex.partisan) and res.partisan
        fn += ex.partisan and not res.partisan
        neg += not ex.partisan
        if ex.partisan and res.partisan:
            stance_ok += any((s.contestant, s.polarity) in ex.stance for s in res.stance)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"items": len(examples), "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "false_alarms": round(fp / neg, 3) if neg else 0.0, "stance": round(stance_ok / tp, 3) if tp else 0.0}


def changed_decisions(examples: Sequence[Example], before: Sequence[Classification], after: Sequence[Classification],
                      limit: int = 10) -> dict:
    """Items whose partisan decision changed, counted by whether they are now right, with a few examples."""
    fixed, broken, shown = 0, 0, []
    for ex, old, new in zip(examples, before, after):
        if old.partisan == new.partisan:
            continue
        right = new.partisan == ex.partisan
        fixed += right
        broken += not right
        if len(shown) < limit:
            shown.append({"id": ex.record.external_id, "now": "partisan" if new.partisan else "not partisan",
                          "right": right, "text": excerpt(ex.record.text, 120)})
    return {"now_right": fixed, "now_wrong": broken, "examples": shown}


def worse(candidate: dict[str, dict], active: dict[str, dict], tolerance: float = TOLERANCE) -> list[str]:
    """Why a candidate may not be promoted: each fixed set where its F1 drops, or its false alarms rise, by
    more than ``tolerance`` against the active model on the same items. A set missing on either side is
    not compared (the real dev half is read in place and may be absent)."""
    out = []
    for name in FIXED_SETS:
        c, a = candidate.get(name), active.get(name)
        if not c or not a or "f1" not in c or "f1" not in a:
            continue
        if c["f1"] < a["f1"] - tolerance:
            out.append(f"{name}: F1 {c['f1']:.3f} < {a['f1']:.3f}")
        if c["false_alarms"] > a["false_alarms"] + tolerance:
            out.append(f"{name}: false alarms {c['false_alarms']:.3f} > {a['false_alarms']:.3f}")
    return out


def active_after(history: Sequence[dict], shipped: str) -> list[str]:
    """The stack of versions the promotions built, bottom (the shipped model) to top (active): a promotion pushes
    its version, a rollback pops back to the one before."""
    stack = [shipped]
    for entry in history:
        if entry["action"] == "promote":
            stack.append(entry["version"])
        elif entry["action"] == "rollback" and len(stack) > 1:
            stack.pop()
    return stack


def moved_features(before: dict[str, tuple], after: dict[str, tuple], k: int = 15) -> list[dict]:
    """The features whose pull towards taking a side (the larger of support and oppose against none) changed most."""
    def pull(v) -> float:
        return max(v[1], v[2]) - v[0] if v else 0.0

    moves = [(round(pull(after.get(f)) - pull(before.get(f)), 4), f) for f in set(before) | set(after)]
    moves = sorted((m for m in moves if m[0]), key=lambda m: (-abs(m[0]), m[1]))[:k]
    return [{"feature": f, "before": round(pull(before.get(f)), 4), "after": round(pull(after.get(f)), 4), "moved": d}
            for d, f in moves]


def examples_rows(examples: Sequence[ClassifierExample]) -> list[dict]:
    """The stored examples as the data card lists them: one JSON object each (the post's text, the label, the case)."""
    return [{"case_id": e.case_id, "content_id": e.content_id, "verdict": e.verdict, "stance": e.stance, "form": e.form,
             "analyst": e.analyst, "agency_code": e.agency_code, "at": e.at.isoformat(),
             "model_version": e.model_version, "model_partisan": e.model_partisan,
             "held_out": held_out(e.content_id), "text": e.content_record().text} for e in examples]
