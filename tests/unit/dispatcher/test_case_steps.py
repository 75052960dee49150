"""The case steps as a golden table over an in-memory store: which work is done, which items are
planned for which receiver, and what each case looks like afterwards."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.dispatcher.case_steps import CaseSteps
from services.dispatcher.working_set import WorkingSet
from services.notify.domain.labels import alert_labels
from tests.unit.notify.conftest import T0, make_alert

from .fake_store import FakeStore

DAY = timedelta(days=1)
ALERTS = {
    "semarang": make_alert(external_id="steps-1"),
    "bps": make_alert(external_id="steps-2", nip="199001012015031001", agency_code="BPS",
                      agency_name="Badan Pusat Statistik", province="31", regency="31.71"),
}


def routed(store: FakeStore, config, name: str, **fields) -> str:
    """A case the dispatcher routed earlier (event ``suspected``), then changed as ``fields`` say."""
    alert = ALERTS[name]
    doc = store.put_new_case(alert, T0)
    store.work.pop(f"route:{doc['_id']}")
    labels = alert_labels(alert, config.directory, config.sanctions)
    labels.pop("event")
    doc.update({"needs_routing": False, "labels": labels, "routed_events": ["suspected"], "version": 1, **fields})
    return doc["_id"]


def new(store, config, name):
    store.put_new_case(ALERTS[name], T0)


def new_lost_race(store, config, name):
    store.conflicting.add(store.put_new_case(ALERTS[name], T0)["_id"])


def routed_elsewhere(store, config, name):
    """A route entry re-created by the safety net (no case carried) for a case already routed."""
    store.work[f"route:{routed(store, config, name)}"] = {"_id": f"route:{ALERTS[name].alert_id}", "kind": "route",
                                                          "case_id": ALERTS[name].alert_id}


def verified(store, config, name):
    case_id = routed(store, config, name, status="verified", verified_at=T0)
    store.work[f"forward:{case_id}"] = {"_id": f"forward:{case_id}", "kind": "forward", "case_id": case_id}


def verified_unrouted(store, config, name):
    case_id = routed(store, config, name, status="verified", verified_at=T0, labels={})
    store.work[f"forward:{case_id}"] = {"_id": f"forward:{case_id}", "kind": "forward", "case_id": case_id}


def rejected(store, config, name):
    case_id = routed(store, config, name, status="closed_not_proven", closed_at=T0)
    store.work[f"forward:{case_id}"] = {"_id": f"forward:{case_id}", "kind": "forward", "case_id": case_id}


def forwarded(days: int):
    def setup(store, config, name):
        at = T0 - days * DAY
        case_id = routed(store, config, name, status="forwarded", forwarded_at=at,
                         routed_events=["forwarded", "suspected"])
        store.work[f"escalate:{case_id}"] = {"_id": f"escalate:{case_id}", "kind": "escalate", "case_id": case_id,
                                             "forwarded_at": at}
    return setup


# name, setups [(setup, alert)], expected (routed, forwarded, escalated), work left (kind:alert),
# items planned (alert, event, receiver), cases afterwards (alert -> status, routed events, escalated)
TABLE = [
    ("a new case is routed to the desk", [(new, "semarang")], (1, 0, 0), [],
     [("semarang", "suspected", "desk")], {"semarang": ("new", ["suspected"], False)}),
    ("a route that allows it forwards at once, and escalation is scheduled", [(new, "bps")], (1, 0, 0),
     ["escalate:bps"], [("bps", "forwarded", "agency"), ("bps", "suspected", "desk")],
     {"bps": ("forwarded", ["suspected", "forwarded"], False)}),
    ("a case changed meanwhile keeps its work for the next cycle", [(new_lost_race, "semarang")], (0, 0, 0),
     ["route:semarang"], [("semarang", "suspected", "desk")], {"semarang": ("new", [], False)}),
    ("a case routed already only drops its work", [(routed_elsewhere, "semarang")], (0, 0, 0), [], [],
     {"semarang": ("new", ["suspected"], False)}),
    ("a verified case is forwarded to its agency", [(verified, "semarang")], (0, 1, 0), ["escalate:semarang"],
     [("semarang", "forwarded", "agency")], {"semarang": ("forwarded", ["forwarded", "suspected"], False)}),
    ("a verified case not routed yet waits", [(verified_unrouted, "semarang")], (0, 0, 0), ["forward:semarang"],
     [], {"semarang": ("verified", ["suspected"], False)}),
    ("a case rejected before forwarding only drops its work", [(rejected, "semarang")], (0, 0, 0), [], [],
     {"semarang": ("closed_not_proven", ["suspected"], False)}),
    ("forwarded 8 days ago without acknowledgement: escalated", [(forwarded(8), "semarang")], (0, 0, 1), [],
     [("semarang", "escalated", "escalation")], {"semarang": ("forwarded", ["escalated", "forwarded", "suspected"], True)}),
    ("forwarded yesterday: not yet", [(forwarded(1), "semarang")], (0, 0, 0), ["escalate:semarang"], [],
     {"semarang": ("forwarded", ["forwarded", "suspected"], False)}),
    ("several steps in one cycle", [(new, "semarang"), (verified, "bps")], (1, 1, 0), ["escalate:bps"],
     [("bps", "forwarded", "agency"), ("semarang", "suspected", "desk")],
     {"semarang": ("new", ["suspected"], False), "bps": ("forwarded", ["forwarded", "suspected"], False)}),
]


def by_name(case_id: str) -> str:
    return next(n for n, a in ALERTS.items() if a.alert_id == case_id)


@pytest.mark.parametrize("setups,counts,work_left,items,cases", [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
async def test_case_steps_table(dispatch_config, setups, counts, work_left, items, cases):
    store = FakeStore()
    for setup, name in setups:
        setup(store, dispatch_config, name)
    working = WorkingSet(store, dispatch_config)
    steps = CaseSteps(store, dispatch_config, working)
    assert await steps.run(T0) == counts
    assert sorted(f"{w['kind']}:{by_name(w['case_id'])}" for w in store.work.values()) == sorted(work_left)
    assert sorted((by_name(d["case_id"]), d["event"], d["receiver"]) for d in store.items.values()) == sorted(items)
    assert set(working.open) == set(store.items)  # planned items join the open working set
    for name, (status, events, escalated) in cases.items():
        doc = store.cases[ALERTS[name].alert_id]
        assert (doc["status"], doc["routed_events"], doc.get("escalated", False)) == (status, events, escalated)


async def test_a_route_entry_that_lost_a_race_is_read_again_from_the_store(dispatch_config):
    """The carried case is stale after a lost race: the next cycle reads the stored case instead."""
    store = FakeStore()
    new_lost_race(store, dispatch_config, "semarang")
    steps = CaseSteps(store, dispatch_config, WorkingSet(store, dispatch_config))
    assert await steps.run(T0) == (0, 0, 0)
    store.cases[ALERTS["semarang"].alert_id]["version"] = 1  # what the other writer left
    assert await steps.run(T0) == (1, 0, 0) and store.work == {}
