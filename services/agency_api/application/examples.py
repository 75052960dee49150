"""Analysts' verdicts as the classifier's training examples (issue 21).

A verified case is a partisan example with the stance and form the analyst confirmed (or, when the analyst
corrected nothing, the classifier's own); a case rejected as "not partisan" is a negative one. "Not this person"
(a matching error) and "not proven" (the post may well be partisan, the evidence is short) say nothing about
the post, so they teach nothing. ``pantau classify retrain`` reads the examples; see ``shared.stored.ClassifierExample``.
"""
from __future__ import annotations

import logging
from typing import Literal

from services.agency_api.application.errors import UseCaseError
from services.notify.store import NotifyStore
from shared.logging import log_event
from shared.mongo import insert_new
from shared.schemas import Alert, Stance, utcnow
from shared.stored import ClassifierExample

log = logging.getLogger("pantau.agency_api")

Ground = Literal["not_partisan", "not_this_person", "not_proven"]
GROUND_ID = {"not_partisan": "tidak partisan", "not_this_person": "bukan orang ini", "not_proven": "tidak terbukti"}


def stance_codes(stance: list[Stance] | list[tuple[str, str]]) -> list[str]:
    pairs = [(s.contestant, s.polarity) if isinstance(s, Stance) else s for s in stance]
    return sorted({f"{c}{'+' if p == 'support' else '-'}" for c, p in pairs})


def confirmed_label(alert: Alert, stance: list[tuple[str, str]] | None, form: str | None) -> tuple[list[str], str]:
    """What a verified case teaches: the analyst's stance and form where given, else the classifier's.

    A post the classifier did not find partisan (a public report) has no stance of its own: the analyst must
    name it, or the example could not say whom the post backs or attacks."""
    cls = alert.classification
    codes = stance_codes(stance) if stance else (stance_codes(cls.stance) if cls.partisan else [])
    if not codes:
        raise UseCaseError("invalid", "stance_required", "sebutkan sikap (kontestan dan dukung/tolak): "
                           "pengklasifikasi tidak menemukannya pada unggahan ini", "stance")
    chosen = form or (cls.form if cls.partisan else "none")
    if chosen == "none":
        raise UseCaseError("invalid", "form_required", "sebutkan bentuk pelanggaran (SKB 2022)", "form")
    return codes, chosen


def reject_ground(ground: Ground | None, wrong_person: bool) -> Ground:
    """``wrong_person`` (the older flag) is the ground "not this person"; without either, "not proven"."""
    if wrong_person and ground not in (None, "not_this_person"):
        raise UseCaseError("invalid", "conflicting_ground", "wrong_person names another ground than " + ground, "ground")
    return "not_this_person" if wrong_person else (ground or "not_proven")


async def record_example(store: NotifyStore, alert: Alert, verdict: Literal["verified", "not_partisan"],
                         stance: list[str], form: str, analyst: str) -> bool:
    """Store the case's example (once: a repeated verdict finds it already there); False when the post itself
    is no longer stored, so there is nothing to learn from."""
    content = await store.stored_content(alert.content.content_id)
    if content is None:
        log_event(log, "no example: the post is no longer stored", case_id=alert.alert_id)
        return False
    example = ClassifierExample(
        case_id=alert.alert_id, content_id=alert.content.content_id, verdict=verdict, stance=stance if verdict == "verified" else [],
        form=form if verdict == "verified" else "none", record=content.raw, analyst=analyst, agency_code=alert.agency_code,
        model_version=alert.classification.model_version, model_partisan=alert.classification.partisan, at=utcnow())
    await insert_new(store.db[ClassifierExample.COLLECTION], [example.document()])
    log_event(log, "classifier example recorded", case_id=alert.alert_id, verdict=verdict)
    return True
