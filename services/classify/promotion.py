"""Which target model the classify service runs: stored versions measured on the fixed sets, promoted only when
not worse on any of them (``--force`` overrides, and the audit log keeps it), rolled back, listed
(``pantau classify promote|rollback|models``). Needs no scikit-learn: it classifies, it does not train.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from services.classify import learning, training_data
from services.classify.domain.classifier import Classifier
from services.classify.models import ModelStore, classifier_for, shipped_version
from services.notify.store import NotifyStore
from shared.schemas import Classification, utcnow


class PromotionError(Exception):
    """What an operator asked cannot be done; the message says why and what to do."""


def fixed_sets() -> dict[str, list[training_data.Example] | None]:
    """The sets every version is measured on: our test split, and the real dev half (None when ../shared is absent)."""
    return {"test split": training_data.templated("test"), "real dev half": training_data.real_dev()}


def absent_note() -> str:
    return f"real dev half: {training_data.REAL_DEV} not found (read in place from ../shared/data), not measured"


def measure(clf: Classifier, sets: dict[str, list | None]) -> tuple[dict[str, dict], dict[str, list[Classification]]]:
    """Figures per set (a missing set: ``{"skipped": why}``) and every decision, for comparing two models."""
    figs, results = {}, {}
    for name, examples in sets.items():
        if examples is None:
            figs[name] = {"skipped": absent_note()}
            continue
        results[name] = [clf.classify(ex.record) for ex in examples]
        figs[name] = learning.figures(examples, results[name])
    return figs, results


async def active(store: ModelStore, shipped: Classifier) -> tuple[str, Classifier]:
    version = await store.active_version() or shipped_version(shipped)
    return version, await stored_classifier(store, shipped, version)


async def stored_classifier(store: ModelStore, shipped: Classifier, version: str | None) -> Classifier:
    try:
        return await classifier_for(store, shipped, version)
    except LookupError as exc:
        raise PromotionError(str(exc)) from exc


@dataclass
class Decision:
    version: str
    promoted: bool
    active: str
    worse: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # {"candidate": {set: figs}, "active": {set: figs}}


async def promote(db, shipped: Classifier, version: str, by: str, force: bool = False, reason: str = "",
                  tolerance: float = learning.TOLERANCE) -> Decision:
    """Measure the version and the active model on the fixed sets, now, on the same items; promote the version
    unless it is worse on one of them. A forced promotion over a refusal is written to the audit log."""
    store = ModelStore(db)
    current, current_clf = await active(store, shipped)
    if version == current:
        return Decision(version, False, current)
    candidate = await stored_classifier(store, shipped, version)
    sets = fixed_sets()
    cand_figs, _ = measure(candidate, sets)
    act_figs, _ = measure(current_clf, sets)
    worse = learning.worse(cand_figs, act_figs, tolerance)
    figures = {"candidate": cand_figs, "active": act_figs}
    if worse and not force:
        return Decision(version, False, current, worse, figures)
    now = utcnow()
    after = await store.record("promote", version, shipped_version(shipped), by, now, forced=bool(worse), reason=reason,
                               figures=cand_figs)
    if worse:
        await NotifyStore(db).write_audit({
            "at": now, "method": "CLI", "path": "pantau classify promote --force", "actor": by,
            "action": "classify.promote.forced", "version": version, "replaced": current, "worse": worse,
            "reason": reason})
    return Decision(version, True, after, worse, figures)


async def rollback(db, shipped: Classifier, by: str, reason: str = "") -> tuple[str, str]:
    """Back to the version active before the last promotion; (left, now active)."""
    store = ModelStore(db)
    stack = learning.active_after(await store.history(), shipped_version(shipped))
    if len(stack) == 1:
        raise PromotionError(f"nothing to roll back: the shipped model {stack[0]} is active")
    now_active = await store.record("rollback", stack[-1], shipped_version(shipped), by, utcnow(), reason=reason)
    return stack[-1], now_active


async def models_overview(db, shipped: Classifier) -> dict:
    """Stored versions with their figures, the promotion history (who, when, forced) and the active version."""
    store = ModelStore(db)
    history = await store.history()
    return {"shipped": shipped_version(shipped),
            "active": learning.active_after(history, shipped_version(shipped))[-1],
            "versions": await store.listing(), "history": history}
