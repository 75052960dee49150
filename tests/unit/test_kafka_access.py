"""Who may do what on the broker (issue 22): each service only what its stage needs, each agency only
its own topic and groups; what an agency's topic carries; the SCRAM hash the broker stores."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from services.dispatcher.payload import agency_case_record
from services.notify.domain import cases as wf
from shared import topics
from shared.kafka_access import AgencyAccess, Binding, service_bindings, user
from shared.kafka_admin import salted_password
from shared.schemas import utcnow
from tests.unit.notify.conftest import make_alert


def rights(bindings: list[Binding]) -> set[tuple[str, str, str, str]]:
    return {(b.operation, b.resource, b.pattern, b.name) for b in bindings}


def test_a_stage_reads_its_input_and_writes_its_outputs_and_its_dead_letters_only():
    assert rights(service_bindings("notify")) == {
        ("read", "topic", "literal", "pantau.content.matched.v1"),
        ("write", "topic", "literal", "pantau.alerts.v1"),
        ("write", "topic", "literal", "pantau.content.matched.v1.dlq"),
        ("read", "group", "prefixed", "pantau-notify"),
        ("all", "topic", "prefixed", "pantau-notify-"),  # faust's own topics
    }
    assert ("write", "topic", "literal", "pantau.content.submitted.v1") in rights(service_bindings("ingest"))
    assert all(b.principal == user("pantau-match") for b in service_bindings("match"))


def test_the_dispatcher_writes_notifications_and_agency_topics_and_reads_nothing():
    assert rights(service_bindings("dispatcher")) == {("write", "topic", "prefixed", "pantau.notifications."),
                                                      ("write", "topic", "prefixed", "pantau.agency.")}
    assert topics.NOTIFICATIONS.name.startswith(topics.NOTIFICATION_TOPIC_PREFIX)


def test_an_agency_credential_reads_its_own_topic_in_groups_under_its_own_prefix():
    access = AgencyAccess("PEMKOT-33", "abc123abc123")
    assert access.username == "agency.PEMKOT-33.abc123abc123"
    assert access.topic == topics.agency_cases_topic("PEMKOT-33") == "pantau.agency.PEMKOT-33.cases.v1"
    assert rights(access.bindings()) == {("read", "topic", "literal", "pantau.agency.PEMKOT-33.cases.v1"),
                                         ("read", "group", "prefixed", "pantau.agency.PEMKOT-33.")}
    # the trailing dot: PEMKOT-33's prefix does not cover PEMKOT-3374's groups
    assert not "pantau.agency.PEMKOT-3374.consumer".startswith(access.group_prefix)


@pytest.mark.parametrize("code", ["pemkot-3374", "PEMKOT 3374", "PEMKOT.3374", "*", ""])
def test_an_agency_code_outside_the_directory_alphabet_gets_no_credential(code):
    with pytest.raises(ValueError):
        AgencyAccess(code, "abc123abc123")


def test_the_broker_stores_the_rfc5802_salted_password_not_the_password():
    salt = b"s" * 32
    assert salted_password("rahasia", salt, 4096) == hashlib.pbkdf2_hmac("sha512", b"rahasia", salt, 4096)
    assert not hmac.compare_digest(salted_password("rahasia", salt, 4096), salted_password("rahasia", b"t" * 32, 4096))


def case_after(*actions: str) -> wf.Case:
    case = wf.new_case("al_1", "PEMKOT-3374", utcnow())
    for action in actions:
        sanction = wf.SanctionRecord(discipline="sedang", description="penundaan kenaikan pangkat") \
            if action == "close_proven" else None
        case = wf.apply(case, action, actor="uji", role="admin" if action != "auto_forward" else "system",
                        now=utcnow(), reason="alasan uji", sanction=sanction)
    return case


@pytest.mark.parametrize("actions, event", [
    ((), None),
    (("verify",), None),  # verified, not yet forwarded: still the analysts' only
    (("reject",), None),  # rejected before it reached the agency
    (("verify", "reject"), None),
    (("verify", "forward"), "forwarded"),
    (("auto_forward",), "forwarded"),
    (("verify", "forward", "acknowledge"), "acknowledged"),
    (("verify", "forward", "acknowledge", "close_proven"), "closed_proven"),
    (("verify", "forward", "acknowledge", "close_not_proven"), "closed_not_proven"),
])
def test_an_agency_topic_hears_of_a_case_once_forwarded_and_of_every_change_after(actions, event):
    assert wf.agency_event(case_after(*actions)) == event


def test_an_escalation_reaches_the_agency_topic_too():
    case = case_after("verify", "forward")
    escalated = wf.escalate(case, timedelta(days=7), case.forwarded_at + timedelta(days=8))
    assert wf.agency_event(escalated) == "escalated"


def test_an_agency_record_carries_the_case_then_and_the_alert_with_its_evidence():
    alert = make_alert(agency_code="PEMKOT-3374")
    case = case_after("verify", "forward").model_copy(update={"case_id": alert.alert_id, "alert_id": alert.alert_id})
    record = agency_case_record("forwarded", case.model_dump(mode="json"), alert, "https://pantau.example")
    assert record["event_id"] == f"{alert.alert_id}:forwarded" and record["status"] == "forwarded"
    assert record["case_url"] == f"https://pantau.example/v1/cases/{alert.alert_id}"
    assert record["alert"] == alert.model_dump(mode="json")  # evidence, explanation, legal basis, routes
    assert record["occurred_at"] == record["case"]["history"][-1]["at"]
    assert "bukan putusan" in record["notice"]
