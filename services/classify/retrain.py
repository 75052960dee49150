"""``pantau classify retrain``: a candidate target model from the shipped training data plus the analysts'
examples, measured against the active model on the fixed sets and on the held-out slice of the examples, and
stored (not promoted) with its report: figures per set, the decisions that changed, the features that moved,
and the guard rails' warnings. Needs scikit-learn, like ``make train`` (the dev extra).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable

from services.classify import learning, promotion, train, training_data
from services.classify.domain.classifier import Classifier
from services.classify.domain.target_model import TargetModel
from services.classify.models import ModelStore, stored_examples
from shared.schemas import utcnow

BaseData = Callable[[], list[training_data.Example]]


async def retrain(db, shipped: Classifier, by: str, exclude_analysts: Iterable[str] = (),
                  min_new: int = learning.MIN_NEW_EXAMPLES, base: BaseData = training_data.training_set) -> dict:
    """Train, measure and store a candidate; its stored document (without the artefact)."""
    store = ModelStore(db)
    active_version, active_clf = await promotion.active(store, shipped)
    active_doc = await store.get(active_version)
    selection = learning.select(await stored_examples(db), exclude_analysts)
    base_examples = base()
    artefact = train.target_artefact(Classifier.from_config(use_model=False),
                                      base_examples + [learning.as_training(e) for e in selection.train])
    model = TargetModel.from_json(artefact.decode("utf-8"))
    candidate = shipped.with_target(model)

    sets = promotion.fixed_sets()
    sets["held-out examples"] = [learning.as_training(e) for e in selection.held]
    cand_figs, cand_results = promotion.measure(candidate, sets)
    act_figs, act_results = promotion.measure(active_clf, sets)
    warnings = learning.guard_rails(selection.train + selection.held, set((active_doc or {}).get("example_ids", ())), min_new)
    if not any(ex.origin == "real-tweets" for ex in base_examples):
        warnings.append(f"{training_data.TWEETS} not found: trained without the annotated real tweets")
    changed = {name: learning.changed_decisions(sets[name], act_results[name], cand_results[name])
               for name in cand_results}
    doc = {
        "_id": model.version, "artefact": artefact.decode("utf-8"), "created_at": utcnow(), "created_by": by,
        "base_version": active_version, "figures": cand_figs, "active_figures": act_figs,
        "trained_on": json.loads(artefact)["trained_on"],
        "example_ids": [e.case_id for e in selection.train], "held_out_ids": [e.case_id for e in selection.held],
        "analysts": sorted({e.analyst for e in selection.train + selection.held}),
        "excluded_analysts": sorted(set(exclude_analysts)), "excluded_examples": selection.excluded,
        "warnings": warnings, "changed": changed,
        "moved_features": learning.moved_features(active_clf.target.weights if active_clf.target else {}, model.weights),
        "artefact_sha256": hashlib.sha256(artefact).hexdigest(),
    }
    doc["report"] = report_markdown(doc)
    doc["stored"] = await store.save(doc)
    return {k: v for k, v in doc.items() if k != "artefact"}


def report_markdown(doc: dict) -> str:
    """The retrain's report for the operator who decides whether to promote."""
    lines = [f"# Candidate {doc['_id']}", "",
             f"Trained {doc['created_at']:%Y-%m-%d %H:%M} UTC by {doc['created_by']}, against the active model "
             f"{doc['base_version']}.", "",
             "Trained on: " + ", ".join(f"{k} {v}" for k, v in doc["trained_on"].items()) + ".",
             f"Analysts' examples: {len(doc['example_ids'])} trained on, {len(doc['held_out_ids'])} held out "
             f"(one post in {learning.HELD_OUT_EVERY}), from {len(doc['analysts'])} analyst(s)"
             + (f"; {doc['excluded_examples']} excluded ({', '.join(doc['excluded_analysts'])})" if doc["excluded_analysts"] else "")
             + ".", ""]
    if doc["warnings"]:
        lines += ["## Warnings", ""] + [f"- {w}" for w in doc["warnings"]] + [""]
    lines += ["## Figures (active -> candidate)", "",
              "| set | items | F1 | precision | recall | false alarms | stance on hits |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, cand in doc["figures"].items():
        act = doc["active_figures"].get(name, {})
        if "skipped" in cand:
            lines.append(f"| {name} | – | {cand['skipped']} | | | | |")
            continue
        lines.append(f"| {name} | {cand['items']} | " + " | ".join(
            f"{act.get(k, 0):.3f} -> {cand[k]:.3f}" for k in ("f1", "precision", "recall", "false_alarms", "stance")) + " |")
    worse = learning.worse(doc["figures"], doc["active_figures"])
    lines += ["", "Promotion gate (fixed sets, tolerance "
              f"{learning.TOLERANCE}): " + ("; ".join(worse) + " -> `promote` will refuse" if worse else "not worse on any fixed set."), ""]
    lines += ["## Changed decisions", ""]
    for name, ch in doc["changed"].items():
        lines.append(f"- {name}: {ch['now_right']} now right, {ch['now_wrong']} now wrong")
        lines += [f"  - {'right' if c['right'] else 'WRONG'}: now {c['now']}: {c['text']!r}" for c in ch["examples"]]
    lines += ["", "## Features that moved most (pull towards taking a side)", "",
              "| feature | before | after |", "| --- | ---: | ---: |"]
    lines += [f"| `{m['feature']}` | {m['before']:+.3f} | {m['after']:+.3f} |" for m in doc["moved_features"]]
    return "\n".join(lines) + "\n"

