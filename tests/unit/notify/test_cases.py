"""Case workflow: the full transition table, history, and escalation."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.notify.domain.cases import (
    TRANSITIONS, Case, SanctionRecord, TransitionError, allowed_actions, apply, escalate, escalation_due, new_case,
)

from .conftest import T0

STATUSES = ["new", "verified", "forwarded", "acknowledged", "closed_proven", "closed_not_proven"]
ROLES = ["system", "analyst", "agency", "admin"]

# (from status, action, role) -> resulting status; every other combination must raise
LEGAL = {
    ("new", "verify", "analyst"): "verified",
    ("new", "verify", "admin"): "verified",
    ("new", "reject", "analyst"): "closed_not_proven",
    ("new", "reject", "admin"): "closed_not_proven",
    ("verified", "reject", "analyst"): "closed_not_proven",
    ("verified", "reject", "admin"): "closed_not_proven",
    ("new", "auto_forward", "system"): "forwarded",
    ("verified", "forward", "system"): "forwarded",
    ("verified", "forward", "analyst"): "forwarded",
    ("verified", "forward", "admin"): "forwarded",
    ("forwarded", "acknowledge", "agency"): "acknowledged",
    ("forwarded", "acknowledge", "admin"): "acknowledged",
    ("acknowledged", "close_proven", "agency"): "closed_proven",
    ("acknowledged", "close_proven", "admin"): "closed_proven",
    ("acknowledged", "close_not_proven", "agency"): "closed_not_proven",
    ("acknowledged", "close_not_proven", "admin"): "closed_not_proven",
}
SANCTION = SanctionRecord(discipline="sedang", description="pemotongan tunjangan kinerja 25% selama 6 bulan",
                          decree_number="800/123/BKPP/2024")


def case_in(status: str) -> Case:
    return new_case("al_x", "PEMKOT-3374", T0).model_copy(update={"status": status})


ALL = [(s, a, r) for s in STATUSES for a in TRANSITIONS for r in ROLES]


@pytest.mark.parametrize("status,action,role", ALL, ids=["-".join(x) for x in ALL])
def test_transition_table(status, action, role):
    kwargs = {"actor": "tester", "role": role, "now": T0 + timedelta(hours=1), "reason": "alasan yang cukup"}
    if action == "close_proven":
        kwargs["sanction"] = SANCTION
    expected = LEGAL.get((status, action, role))
    if expected is None:
        with pytest.raises(TransitionError) as exc:
            apply(case_in(status), action, **kwargs)
        assert exc.value.code in ("forbidden_transition", "illegal_transition")
        assert action in exc.value.message
    else:
        after = apply(case_in(status), action, **kwargs)
        assert after.status == expected
        entry = after.history[-1]
        assert (entry.action, entry.from_status, entry.to_status, entry.actor, entry.role, entry.reason) == (
            action, status, expected, "tester", role, "alasan yang cukup")
        assert entry.at == T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    "status,action,role,kwargs,code",
    [
        ("new", "verify", "analyst", {"reason": ""}, "reason_required"),
        ("new", "reject", "analyst", {"reason": "  "}, "reason_required"),
        ("acknowledged", "close_proven", "agency", {"reason": "terbukti dalam pemeriksaan"}, "sanction_required"),
        ("acknowledged", "close_not_proven", "agency", {"reason": "tidak terbukti", "sanction": SANCTION}, "unexpected_sanction"),
        ("new", "fly", "admin", {}, "unknown_action"),
    ],
)
def test_transition_preconditions(status, action, role, kwargs, code):
    with pytest.raises(TransitionError) as exc:
        apply(case_in(status), action, actor="x", role=role, now=T0, **kwargs)
    assert exc.value.code == code


def test_full_path_keeps_history_and_sanction():
    c = new_case("al_1", "PEMKOT-3374", T0)
    c = apply(c, "verify", actor="analis-bkn-1", role="analyst", now=T0 + timedelta(hours=2), reason="akun dan NIP cocok")
    c = apply(c, "forward", actor="system", role="system", now=T0 + timedelta(hours=3))
    c = apply(c, "acknowledge", actor="bkpp-semarang", role="agency", now=T0 + timedelta(days=1))
    c = apply(c, "close_proven", actor="bkpp-semarang", role="agency", now=T0 + timedelta(days=20),
              reason="terbukti melalui pemeriksaan", sanction=SANCTION)
    assert c.status == "closed_proven" and c.sanction == SANCTION
    assert [h.action for h in c.history] == ["verify", "forward", "acknowledge", "close_proven"]
    assert c.verified_at and c.forwarded_at and c.acknowledged_at and c.closed_at == T0 + timedelta(days=20)
    assert allowed_actions(c, "admin") == []


@pytest.mark.parametrize(
    "status,age,escalated,due",
    [
        ("forwarded", timedelta(days=7), False, True),
        ("forwarded", timedelta(days=6, hours=23), False, False),
        ("forwarded", timedelta(days=30), True, False),  # once
        ("acknowledged", timedelta(days=30), False, False),
        ("verified", timedelta(days=30), False, False),
    ],
)
def test_escalation_rule(status, age, escalated, due):
    c = case_in(status).model_copy(update={"forwarded_at": T0, "escalated": escalated})
    now = T0 + age
    assert escalation_due(c, timedelta(days=7), now) is due
    if due:
        after = escalate(c, timedelta(days=7), now)
        assert after.escalated and after.escalated_at == now and after.status == status
        assert after.history[-1].action == "escalated" and "7 hari" in after.history[-1].reason
    else:
        with pytest.raises(TransitionError):
            escalate(c, timedelta(days=7), now)
