"""Target-model versions in the store, and which one is active (issue 21). Private to classify: written by
``pantau classify retrain|promote|rollback``, read by the classify service and ``make eval``.

- ``classifier_models``: one document per candidate (``_id`` = its version): the artefact's JSON exactly as
  ``target-lr.json`` would hold it, its figures, report, and the examples it was trained on. Insert-only.
- ``classifier_promotions``: one small document per promotion or rollback (``_id`` = a zero-padded sequence
  number), with who, when, whether forced, and the version it left active. Insert-only: two operators
  promoting at once cannot both win the same number, and nothing is ever updated (FerretDB v1).

A classify worker reads only the last promotion, at most every ``PANTAU_CLASSIFY_MODEL_CHECK_S`` seconds, between
batches; the model document only when the active version changed.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError, PyMongoError

from services.classify import learning
from services.classify.domain.classifier import Classifier
from services.classify.domain.target_model import TargetModel
from shared.logging import log_event
from shared.mongo import insert_new
from shared.stored import ClassifierExample

log = logging.getLogger("pantau.classify")

MODELS = "classifier_models"
PROMOTIONS = "classifier_promotions"
SUMMARY = {"artefact": 0, "report": 0}  # what a listing leaves out


class PromotionConflict(Exception):
    """Another promotion took the same place in the history meanwhile."""


class ModelStore:
    def __init__(self, db):
        self.models = db[MODELS]
        self.promotions = db[PROMOTIONS]

    async def save(self, doc: dict[str, Any]) -> bool:
        """A candidate; False when the same version (same data, so the same weights) is already stored."""
        return not await insert_new(self.models, [doc])

    async def get(self, version: str) -> dict | None:
        return await self.models.find_one({"_id": version})

    async def listing(self) -> list[dict]:
        return await self.models.find({}, SUMMARY).sort("created_at", 1).to_list(None)

    async def history(self) -> list[dict]:
        return await self.promotions.find({}).sort("_id", 1).to_list(None)

    async def active_version(self) -> str | None:
        """The version the last promotion or rollback left active; None: the shipped model."""
        last = await self.promotions.find({}, {"active": 1}).sort("_id", -1).limit(1).to_list(None)
        return last[0]["active"] if last else None

    async def record(self, action: str, version: str, shipped: str, by: str, at: datetime, forced: bool = False,
                     reason: str = "", figures: dict | None = None) -> str:
        """Append a promotion or rollback; the version it leaves active."""
        history = await self.history()
        entry = {"action": action, "version": version}
        active = learning.active_after([*history, entry], shipped)[-1]
        doc = {"_id": f"{len(history) + 1:08d}", **entry, "active": active, "by": by, "at": at, "forced": forced,
               "reason": reason, "figures": figures or {}}
        try:
            await self.promotions.insert_one(doc)
        except DuplicateKeyError as exc:
            raise PromotionConflict("another promotion or rollback was recorded meanwhile; look again") from exc
        return active


def shipped_version(shipped: Classifier) -> str:
    return shipped.target.version if shipped.target is not None else "rules-only"


async def classifier_for(store: ModelStore, shipped: Classifier, version: str | None) -> Classifier:
    """The classifier of a version: the shipped one, or the same rules with a stored target model."""
    if version is None or version == shipped_version(shipped):
        return shipped
    doc = await store.get(version)
    if doc is None:
        raise LookupError(f"no model version {version} is stored: `pantau classify models` lists them")
    return shipped.with_target(TargetModel.from_json(doc["artefact"]))


async def stored_examples(db) -> list[ClassifierExample]:
    """Every analyst's example (``shared.stored.ClassifierExample``), oldest first: one read, by an operator's command."""
    rows = await db[ClassifierExample.COLLECTION].find({}).to_list(None)
    return sorted(map(ClassifierExample.from_document, rows), key=lambda e: (e.at, e.case_id))


class ActiveModel:
    """The classifier a classify worker uses: the shipped one until a version is promoted, then that version's
    target model on the same rules. ``current()`` is called between batches and reads the store at most every
    ``check_s`` seconds; a store hiccup or a broken model keeps the classifier it has (and says so in the log)."""

    def __init__(self, db: Callable[[], Any], shipped: Classifier, check_s: float):
        self.db = db  # the process's lazily connected database (one client per event loop)
        self.shipped = shipped
        self.check_s = check_s
        self.classifier = shipped
        self.version = shipped_version(shipped)
        self._next_check = 0.0

    async def current(self) -> Classifier:
        now = time.monotonic()
        if now < self._next_check:
            return self.classifier
        self._next_check = now + self.check_s
        try:
            store = ModelStore(self.db())
            version = await store.active_version() or shipped_version(self.shipped)
            if version != self.version:
                self.classifier = await classifier_for(store, self.shipped, version)
                self.version = version
                log_event(log, "classifier model switched", model_version=self.classifier.model_version)
        except (PyMongoError, ValueError, LookupError) as exc:
            log.warning("classifier model check failed; keeping the current one",
                        extra={"fields": {"error": f"{type(exc).__name__}: {exc}"[:300]}})
        return self.classifier
