"""Cases as a caller may see and change them: agencies see only their own agency's cases, and only once
forwarded (another agency's case is "not found", never "forbidden"); analysts see all. Every workflow
action goes through ``transition``, so the API and the desk apply the same rules."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from services.agency_api.application import examples
from services.agency_api.application.context import WebContext
from services.agency_api.application.errors import UseCaseError
from services.agency_api.auth import Principal
from services.notify.domain import cases as wf
from services.notify.domain.cases import SanctionRecord, TransitionError
from services.notify.store import CaseFilter, NotifyStore
from shared.judgements import record_judgement
from shared.logging import log_event
from shared.schemas import Alert, utcnow

log = logging.getLogger("pantau.agency_api")

INVALID_TRANSITIONS = ("reason_required", "sanction_required", "unexpected_sanction")


def actor(p: Principal) -> str:
    """How a caller is named in histories, notes and judgements."""
    return f"{p.label or p.key_id} ({p.agency_code})"


def require_analyst(p: Principal, what: str = "decide review candidates") -> None:
    if not p.sees_all_agencies():
        raise UseCaseError("forbidden", "forbidden", f"only analysts and admins {what}")


def scope_for(p: Principal) -> CaseFilter:
    if p.sees_all_agencies():
        return CaseFilter()
    return CaseFilter(agency_code=p.agency_code, forwarded_only=True)


@dataclass(frozen=True)
class CaseQuery(CaseFilter):
    """The list/export/stats filters (same for all three, so the same visibility): the store's case filter
    plus what only the alert knows (region, contestant, severity, words), checked after the read."""

    region: str | None = None
    contestant: str | None = None
    severity: str | None = None
    q: str | None = None

    def needs_alerts(self) -> bool:
        return bool(self.region or self.contestant or self.severity or self.q)


def case_filter(p: Principal, cq: CaseQuery) -> CaseFilter:
    """The caller's query within the caller's scope: an agency's own code replaces any agency asked for."""
    scope = scope_for(p)
    return cq if scope.agency_code is None else replace(cq, agency_code=scope.agency_code,
                                                          forwarded_only=scope.forwarded_only)


def alert_matches(alert: Alert | None, doc: dict, cq: CaseQuery) -> bool:
    if alert is None:
        return not cq.needs_alerts()
    s = alert.subject
    if cq.region and not (s.province_code == cq.region or s.regency_code == cq.region
                          or s.regency_code.startswith(cq.region + ".")):
        return False
    if cq.contestant and cq.contestant not in {st.contestant for st in alert.classification.stance}:
        return False
    severity = (doc.get("labels") or {}).get("severity") or alert.severity
    if cq.severity and severity != cq.severity:
        return False
    if cq.q:
        hay = " ".join([alert.content.excerpt, s.name, alert.summary, *[e.text for e in alert.classification.evidence]])
        if not all(word in hay.lower() for word in cq.q.lower().split()):
            return False
    return True


async def select_cases(store: NotifyStore, p: Principal, cq: CaseQuery, offset: int = 0,
                       limit: int | None = None, with_alerts: bool = False
                       ) -> tuple[list[tuple[dict, Alert | None]], bool]:
    """Cases the caller may see, oldest first, filtered; (rows, more)."""
    flt = case_filter(p, cq)
    if not cq.needs_alerts() and not with_alerts:
        docs = await store.list_cases(flt, offset, None if limit is None else limit + 1)
        more = limit is not None and len(docs) > limit
        return [(d, None) for d in docs[:limit]], more
    docs = await store.list_cases(flt)
    alerts = await store.get_alerts([d["_id"] for d in docs])
    rows = [(d, alerts.get(d["_id"])) for d in docs if alert_matches(alerts.get(d["_id"]), d, cq)]
    rows = rows[offset:]
    more = limit is not None and len(rows) > limit
    return (rows[:limit] if limit is not None else rows), more


def case_view(doc: dict, detail: bool = False) -> dict[str, Any]:
    labels = doc.get("labels") or {}
    out = {
        "case_id": doc["_id"],
        "agency_code": doc["agency_code"],
        "status": doc["status"],
        "status_label": wf.STATUS_ID.get(doc["status"], doc["status"]),
        "form": doc.get("form") or labels.get("form"),
        "severity": labels.get("severity"),
        "escalated": doc.get("escalated", False),
        "created_at": doc.get("created_at"),
        "verified_at": doc.get("verified_at"),
        "forwarded_at": doc.get("forwarded_at"),
        "acknowledged_at": doc.get("acknowledged_at"),
        "closed_at": doc.get("closed_at"),
        "escalated_at": doc.get("escalated_at"),
        "sanction": doc.get("sanction"),
    }
    if doc.get("assigned_to"):
        out["assigned_to"] = doc["assigned_to"]
    if detail:
        out["history"] = doc.get("history", [])
    return out


def escalation_deadline(doc: dict, after: timedelta) -> datetime | None:
    fwd = doc.get("forwarded_at")
    if fwd is None or doc.get("status") != "forwarded":
        return None
    return fwd + after


async def load_case(store: NotifyStore, p: Principal, case_id: str) -> dict:
    doc = await store.find_case(case_id, scope_for(p))
    if doc is None:
        raise UseCaseError("not_found", "not_found", f"case {case_id} not found", "case_id")
    return doc


async def transition(ctx: WebContext, p: Principal, case_id: str, action: str, reason: str = "",
                     sanction: SanctionRecord | None = None) -> dict:
    """Apply one workflow action for the caller; the case's detail view after it."""
    store = ctx.store
    doc = await load_case(store, p, case_id)
    try:
        after = wf.apply(store.case_from(doc), action, actor=actor(p), role=p.role, now=utcnow(), reason=reason,
                         sanction=sanction)
    except TransitionError as exc:
        kind = "forbidden" if exc.code == "forbidden_transition" else (
            "invalid" if exc.code in INVALID_TRANSITIONS else "conflict")
        raise UseCaseError(kind, exc.code, exc.message, exc.field) from exc
    if not await store.save_case(after, doc.get("version", 0)):
        raise UseCaseError("conflict", "conflict", "the case changed meanwhile; read it again and retry")
    return case_view(await store.get_case_doc(case_id), detail=True)


async def verify(ctx: WebContext, p: Principal, case_id: str, reason: str,
                 stance: list[tuple[str, str]] | None = None, form: str | None = None) -> dict:
    """Confirmed (then forwarded); the post becomes a partisan example with the stance and form confirmed."""
    doc = await load_case(ctx.store, p, case_id)
    alert = await ctx.store.get_alert(case_id)
    may = "verify" in wf.allowed_actions(ctx.store.case_from(doc), p.role)  # else the transition says why not
    label = examples.confirmed_label(alert, stance, form) if alert is not None and may else None
    result = await transition(ctx, p, case_id, "verify", reason)
    if label is not None:
        await examples.record_example(ctx.store, alert, "verified", *label, analyst=actor(p))
    return result


async def reject(ctx: WebContext, p: Principal, case_id: str, reason: str, wrong_person: bool = False,
                 ground: examples.Ground | None = None) -> dict:
    """Closed as not proven. The ground says what was wrong: "not partisan" makes the post a negative example;
    "not this person" tells the matcher never to pair this author and NIP again (and teaches the classifier
    nothing); "not proven" changes nothing else."""
    ground = examples.reject_ground(ground, wrong_person)
    result = await transition(ctx, p, case_id, "reject", reason)
    alert = await ctx.store.get_alert(case_id) if ground != "not_proven" else None
    if alert is not None and ground == "not_this_person" and alert.match.author_key:
        await record_judgement(ctx.store.db, alert.subject.nip, alert.match.author_key, reviewer=actor(p), reason=reason)
        log_event(log, "judgement recorded: not this person", case_id=case_id)
    if alert is not None and ground == "not_partisan":
        await examples.record_example(ctx.store, alert, "not_partisan", [], "none", analyst=actor(p))
    return result


async def add_note(ctx: WebContext, p: Principal, case_id: str, note: str) -> dict:
    if not note.strip():
        raise UseCaseError("invalid", "note_required", "catatan tidak boleh kosong", "note")
    await load_case(ctx.store, p, case_id)
    entry = {"at": utcnow(), "by": actor(p), "role": p.role, "note": note}
    await ctx.store.add_case_note(case_id, entry)
    return entry


async def assign(ctx: WebContext, p: Principal, case_id: str, analyst: str) -> dict:
    require_analyst(p, "assign cases")
    await load_case(ctx.store, p, case_id)
    await ctx.store.set_case_fields(case_id, {"assigned_to": analyst, "assigned_at": utcnow()})
    return case_view(await ctx.store.get_case_doc(case_id))


async def detail(ctx: WebContext, p: Principal, case_id: str) -> dict[str, Any]:
    """One case as its reader may see it: history, evidence, explanation, legal basis, notifications."""
    from services.notify.domain.summary import alert_summary

    store, cfg = ctx.store, ctx.config
    doc = await load_case(store, p, case_id)
    alert = await store.get_alert(case_id)
    out = case_view(doc, detail=True)
    out["allowed_actions"] = wf.allowed_actions(store.case_from(doc), p.role)
    out["notes"] = doc.get("notes", [])
    out["escalation_deadline"] = escalation_deadline(doc, cfg.escalate_after)
    if alert is not None:
        sanction = cfg.sanctions.for_form(alert.classification.form)
        event = "forwarded" if doc.get("forwarded_at") else "suspected"
        out["summary"] = alert_summary(alert, sanction, cfg.contestant_names, event)
        out["subject"] = alert.subject.model_dump(mode="json")
        out["content"] = alert.content.model_dump(mode="json")
        out["classification"] = alert.classification.model_dump(mode="json")
        out["match"] = {**alert.match.model_dump(mode="json", exclude={"subject"}),
                        "registry_version": alert.registry_version}
        out["sanction_reference"] = sanction.model_dump(mode="json")
    notes = await store.log_for_case(case_id)
    if not p.sees_all_agencies():
        notes = [n for n in notes if n["integration"].startswith(("employing-agency",))]
    out["notifications"] = [{"notification_id": n["_id"], **{k: v for k, v in n.items() if k != "_id"}} for n in notes]
    return out


EXPORT_COLUMNS = ["case_id", "agency_code", "status", "status_label", "form", "form_label", "severity", "escalated",
                  "created_at", "verified_at", "forwarded_at", "acknowledged_at", "closed_at", "nip", "name",
                  "source", "url", "excerpt", "sanction_discipline", "sanction_decree"]


async def export_table(ctx: WebContext, p: Principal, cq: CaseQuery) -> list[list[Any]]:
    """The caller's cases as rows of EXPORT_COLUMNS (times as ISO text, missing values empty)."""
    rows, _ = await select_cases(ctx.store, p, cq, with_alerts=True)
    return [_export_row(doc, alert, ctx.config.sanctions.label) for doc, alert in rows]


def _export_row(doc: dict, alert: Alert | None, form_label) -> list[Any]:
    view = case_view(doc)
    sanction = doc.get("sanction") or {}
    values = {**view, "form_label": form_label(view["form"]), "nip": alert.subject.nip if alert else doc.get("nip", ""),
              "name": alert.subject.name if alert else "", "source": alert.content.source if alert else "",
              "url": alert.content.url or "" if alert else "", "excerpt": alert.content.excerpt if alert else "",
              "sanction_discipline": sanction.get("discipline", ""), "sanction_decree": sanction.get("decree_number") or ""}
    out = []
    for col in EXPORT_COLUMNS:
        v = values.get(col)
        out.append(v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else v))
    return out


def week_of(value: datetime) -> str:
    year, week, _ = value.isocalendar()
    return f"{year}-W{week:02d}"


def stats_of(rows: list[tuple[dict, Alert | None]]) -> dict[str, Any]:
    """Counts per agency, form, contestant, status and ISO week (pure; the desk draws them)."""
    by_agency, by_form, by_contestant, by_week, by_status = Counter(), Counter(), Counter(), Counter(), Counter()
    for doc, alert in rows:
        by_agency[doc["agency_code"]] += 1
        by_form[doc.get("form") or "none"] += 1
        by_status[doc["status"]] += 1
        if doc.get("created_at") is not None:
            by_week[week_of(doc["created_at"])] += 1
        for c in sorted({s.contestant for s in alert.classification.stance}) if alert else []:
            by_contestant[c] += 1
    return {"total": len(rows), "by_agency": dict(by_agency.most_common()), "by_form": dict(by_form.most_common()),
            "by_contestant": dict(by_contestant.most_common()), "by_status": dict(by_status.most_common()),
            "by_week": dict(sorted(by_week.items()))}


async def stats(ctx: WebContext, p: Principal, cq: CaseQuery) -> dict[str, Any]:
    rows, _ = await select_cases(ctx.store, p, cq, with_alerts=True)
    return stats_of(rows)
