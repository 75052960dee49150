"""An in-memory stand-in for the few ``NotifyStore`` methods the case steps and the flush use, so
their rules run as tables without a database (the integration tests run them on FerretDB)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from services.notify.domain.cases import Case
from services.notify.domain.silences import Silence
from services.notify.store import NotifyStore
from shared.schemas import Alert


class FakeStore:
    def __init__(self):
        self.cases: dict[str, dict] = {}
        self.alerts: dict[str, Alert] = {}
        self.work: dict[str, dict] = {}
        self.items: dict[str, dict] = {}
        self.failures: dict[str, dict] = {}
        self.muted: list[tuple[str, str | None]] = []
        self.silences: list[Silence] = []
        self.conflicting: set[str] = set()  # case ids whose next save loses the optimistic race

    # -- seeding, the way NotifyStore.ensure_case writes a new case and its route work entry
    def put_new_case(self, alert: Alert, now: datetime) -> dict:
        doc = NotifyStore._case_doc(self, alert, now)  # noqa: SLF001 - the store's own case document
        self.cases[doc["_id"]] = doc
        self.alerts[alert.alert_id] = alert
        self.work[f"route:{doc['_id']}"] = {"_id": f"route:{doc['_id']}", "kind": "route", "case_id": doc["_id"],
                                            "case": dict(doc), "alert": alert.model_dump(mode="json")}
        return doc

    # -- what the case steps call
    case_from = staticmethod(NotifyStore.case_from)

    async def open_work(self) -> list[dict]:
        return list(self.work.values())

    async def drop_work(self, ids: list[str]) -> None:
        for i in ids:
            self.work.pop(i, None)

    async def add_work(self, kind: str, case_id: str, **fields: Any) -> None:
        self.work.setdefault(f"{kind}:{case_id}", {"_id": f"{kind}:{case_id}", "kind": kind, "case_id": case_id,
                                                   **fields})

    async def cases_by_ids(self, ids: Iterable[str], projection: dict | None = None) -> dict[str, dict]:
        return {i: dict(self.cases[i]) for i in ids if i in self.cases}

    async def get_alerts(self, ids: Iterable[str]) -> dict[str, Alert]:
        return {i: self.alerts[i] for i in ids if i in self.alerts}

    async def save_case(self, case: Case, expected_version: int, extra: dict | None = None) -> bool:
        doc = self.cases[case.case_id]
        if case.case_id in self.conflicting or doc.get("version", 0) != expected_version:
            self.conflicting.discard(case.case_id)
            return False
        doc.update({**case.model_dump(mode="python"), "version": expected_version + 1, **(extra or {})})
        doc.pop("case_id", None)
        if case.status == "verified":
            await self.add_work("forward", case.case_id)
        return True

    async def add_item(self, doc: dict) -> bool:
        if doc["_id"] in self.items:
            return False
        self.items[doc["_id"]] = doc
        return True

    async def add_failure(self, doc: dict) -> None:
        self.failures.setdefault(doc["_id"], doc)

    # -- what the flush's caller reads
    async def active_silences(self, now: datetime) -> list[Silence]:
        return [s for s in self.silences if s.active(now)]
