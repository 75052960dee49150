"""Case workflow with history (human verification first; PDP law Art. 10).

    new ──verify──► verified ──forward──► forwarded ──acknowledge──► acknowledged ──close_proven──► closed_proven
     │  └─reject──► closed_not_proven                                             └─close_not_proven──► closed_not_proven
     └─auto_forward (system, only when a route allows it)──► forwarded

Every transition records actor, role, reason and time. A forwarded case that is not acknowledged
within the configured number of days is *escalated*: a flag plus an ``escalated`` history entry,
routed with ``event="escalated"`` to the escalation receivers. Escalation does not change the
status: the employing agency must still acknowledge and close the case.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CaseStatus = Literal["new", "verified", "forwarded", "acknowledged", "closed_proven", "closed_not_proven"]
CaseAction = Literal[
    "verify", "reject", "forward", "auto_forward", "acknowledge", "close_proven", "close_not_proven"
]
Role = Literal["system", "analyst", "agency", "admin"]
DisciplineLevel = Literal["ringan", "sedang", "berat", "ptdh", "none"]

CLOSED: frozenset[str] = frozenset({"closed_proven", "closed_not_proven"})

# action -> (allowed from, to, roles allowed, reason required)
TRANSITIONS: dict[str, tuple[frozenset[str], str, frozenset[str], bool]] = {
    "verify": (frozenset({"new"}), "verified", frozenset({"analyst", "admin"}), True),
    "reject": (frozenset({"new", "verified"}), "closed_not_proven", frozenset({"analyst", "admin"}), True),
    "forward": (frozenset({"verified"}), "forwarded", frozenset({"system", "analyst", "admin"}), False),
    "auto_forward": (frozenset({"new"}), "forwarded", frozenset({"system"}), True),
    "acknowledge": (frozenset({"forwarded"}), "acknowledged", frozenset({"agency", "admin"}), False),
    "close_proven": (frozenset({"acknowledged"}), "closed_proven", frozenset({"agency", "admin"}), True),
    "close_not_proven": (frozenset({"acknowledged"}), "closed_not_proven", frozenset({"agency", "admin"}), True),
}

# target status (as POSTed to /v1/cases/{id}/status) -> action
ACTION_FOR_STATUS: dict[str, str] = {
    "verified": "verify",
    "forwarded": "forward",
    "acknowledged": "acknowledge",
    "closed_proven": "close_proven",
    "closed_not_proven": "close_not_proven",
}

STATUS_ID = {
    "new": "baru, menunggu verifikasi",
    "verified": "terverifikasi oleh analis",
    "forwarded": "diteruskan ke instansi",
    "acknowledged": "diterima instansi",
    "closed_proven": "selesai: terbukti",
    "closed_not_proven": "selesai: tidak terbukti",
}


# What an employing agency's own topic carries: the case reaching it, and every later change. A
# suspicion rejected before forwarding ("reject") never reaches it.
AGENCY_EVENTS: dict[str, str] = {
    "forward": "forwarded",
    "auto_forward": "forwarded",
    "acknowledge": "acknowledged",
    "escalated": "escalated",
    "close_proven": "closed_proven",
    "close_not_proven": "closed_not_proven",
}


class TransitionError(ValueError):
    """An illegal transition; ``code`` is stable for the API error shape."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SanctionRecord(_Frozen):
    """What the PPK decided when closing a case as proven."""

    discipline: DisciplineLevel
    description: str = Field(min_length=3, max_length=2000)  # e.g. "pemotongan tunjangan kinerja 25% 6 bulan"
    decree_number: str | None = Field(default=None, max_length=200)  # nomor SK hukuman disiplin
    decided_at: AwareDatetime | None = None
    ethics: str | None = Field(default=None, max_length=1000)  # e.g. "sanksi moral pernyataan terbuka"


class HistoryEntry(_Frozen):
    action: str  # a CaseAction or "escalated"
    from_status: str
    to_status: str
    actor: str
    role: Role
    reason: str = ""
    at: AwareDatetime


class Case(_Frozen):
    case_id: str  # same as the alert id: one case per (NIP, content)
    alert_id: str
    agency_code: str
    status: CaseStatus = "new"
    created_at: AwareDatetime
    updated_at: AwareDatetime
    verified_at: AwareDatetime | None = None
    forwarded_at: AwareDatetime | None = None
    acknowledged_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    escalated: bool = False
    escalated_at: AwareDatetime | None = None
    sanction: SanctionRecord | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    version: int = 0  # optimistic concurrency in the store


def new_case(alert_id: str, agency_code: str, now: datetime) -> Case:
    return Case(case_id=alert_id, alert_id=alert_id, agency_code=agency_code, created_at=now, updated_at=now)


def allowed_actions(case: Case, role: str) -> list[str]:
    return [a for a, (src, _, roles, _) in TRANSITIONS.items() if case.status in src and role in roles]


def apply(
    case: Case,
    action: str,
    *,
    actor: str,
    role: str,
    now: datetime,
    reason: str = "",
    sanction: SanctionRecord | None = None,
) -> Case:
    """The case after ``action``; raises ``TransitionError`` when it is not allowed."""
    if action not in TRANSITIONS:
        raise TransitionError("unknown_action", f"unknown action {action!r}", "action")
    sources, target, roles, reason_required = TRANSITIONS[action]
    if role not in roles:
        raise TransitionError(
            "forbidden_transition",
            f"role {role!r} may not {action} a case (allowed: {', '.join(sorted(roles))})",
            "role",
        )
    if case.status not in sources:
        raise TransitionError(
            "illegal_transition",
            f"cannot {action} a case in status {case.status!r} (allowed from: "
            f"{', '.join(sorted(sources))})",
            "status",
        )
    reason = (reason or "").strip()
    if reason_required and len(reason) < 3:
        raise TransitionError("reason_required", f"{action} needs a reason", "reason")
    if action == "close_proven" and sanction is None:
        raise TransitionError("sanction_required", "closing a case as proven needs the sanction imposed", "sanction")
    if action != "close_proven" and sanction is not None:
        raise TransitionError("unexpected_sanction", "a sanction is recorded only when closing as proven", "sanction")
    entry = HistoryEntry(
        action=action, from_status=case.status, to_status=target, actor=actor, role=role, reason=reason, at=now
    )
    updates: dict = {"status": target, "updated_at": now, "history": [*case.history, entry]}
    if target == "verified":
        updates["verified_at"] = now
    elif target == "forwarded":
        updates["forwarded_at"] = now
    elif target == "acknowledged":
        updates["acknowledged_at"] = now
    if target in CLOSED:
        updates["closed_at"] = now
    if sanction is not None:
        updates["sanction"] = sanction
    return case.model_copy(update=updates)


def escalation_due(case: Case, after: timedelta, now: datetime) -> bool:
    return (
        case.status == "forwarded"
        and not case.escalated
        and case.forwarded_at is not None
        and now - case.forwarded_at >= after
    )


def escalate(case: Case, after: timedelta, now: datetime) -> Case:
    """Mark a forwarded, unacknowledged case as escalated (idempotent: raises if not due)."""
    if not escalation_due(case, after, now):
        raise TransitionError("not_escalatable", f"case in status {case.status!r} is not due for escalation", "status")
    days = after.total_seconds() / 86400
    entry = HistoryEntry(
        action="escalated", from_status=case.status, to_status=case.status, actor="system", role="system",
        reason=f"tidak ada tanda terima dari instansi dalam {days:g} hari sejak diteruskan", at=now,
    )
    return case.model_copy(update={"escalated": True, "escalated_at": now, "updated_at": now,
                                   "history": [*case.history, entry]})


def agency_event(case: Case) -> str | None:
    """The event the agency's topic carries for the case's latest history entry, or None when the
    agency must not see it (not forwarded to it, or rejected before)."""
    return AGENCY_EVENTS.get(case.history[-1].action) if case.history else None
