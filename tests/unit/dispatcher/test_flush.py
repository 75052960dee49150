"""The pure flush as a golden table: from the open items, the groups' state, the flood counters,
the silences and the time, which batches go out (to whom, with which cases), which items are muted
and which flood limits hold items back. No store is touched: the plan is data."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.dispatcher.case_steps import CaseSteps
from services.dispatcher.flush import plan_flush, routes_by_name
from services.dispatcher.working_set import WorkingSet
from services.notify.domain.silences import Silence
from tests.unit.notify.conftest import T0, make_alert

from .fake_store import FakeStore

M = timedelta(minutes=1)
S = timedelta(seconds=1)
SEMARANG = [make_alert(external_id=f"flush-{n}", nip=f"19850312201001200{n}") for n in range(3)]
SAME_PERSON = make_alert(external_id="flush-9", nip=SEMARANG[0].subject.nip)
NAMES = {a.alert_id: f"s{n}" for n, a in enumerate(SEMARANG)} | {SAME_PERSON.alert_id: "s0b"}


async def routed(alerts, config) -> WorkingSet:
    """The open items exactly as the case steps plan them for new cases at T0 (to the desk)."""
    store = FakeStore()
    for alert in alerts:
        store.put_new_case(alert, T0)
    working = WorkingSet(store, config)
    await CaseSteps(store, config, working).run(T0)
    return working


def silence(*matchers: str) -> Silence:
    return Silence(matchers=list(matchers), starts_at=T0, ends_at=T0 + 60 * M, created_by="analis", comment="uji")


def sent_already(working: WorkingSet) -> None:
    for d in working.open.values():
        working.groups[d["group_id"]] = {"last_sent_at": T0 + 2 * M, "sent_item_ids": [d["item_id"]]}


def flood_full(working: WorkingSet) -> None:
    key = working.flood_key(next(iter(working.open.values())))[0]
    working.flood = [(key, T0 - 10 * M), (key, T0 - 5 * M)]


def flood_expired(working: WorkingSet) -> None:
    key = working.flood_key(next(iter(working.open.values())))[0]
    working.flood = [(key, T0 - 90 * M), (key, T0 - 70 * M)]


def arrived_in_order(working: WorkingSet) -> None:
    """s0, s1, s2 arrived ten seconds apart."""
    for d in working.open.values():
        d["created_at"] = T0 + int(NAMES[d["case_id"]][1]) * 10 * S


def muted_before(working: WorkingSet) -> None:
    for d in working.open.values():
        d["muted_by"] = "silenced:si_old"


def account_case_open(working: WorkingSet) -> None:
    """An account-level case of the same person: its post-level repeats are inhibited."""
    d = next(iter(working.open.values()))
    working.note_source(d["labels"]["nip"], "al_account", {**d["labels"], "scope": "account"}, ["suspected"])


# name, alerts, change to the working set, silences, minutes after T0,
# expected batches [(receiver, [cases])], muted [(case, reason prefix)], flood-limited limit names
TABLE = [
    ("waits group_wait", SEMARANG[:1], None, [], 1, [], [], []),
    ("due at group_wait", SEMARANG[:1], None, [], 2, [("desk", ["s0"])], [], []),
    ("two contents of one person: one message", [SEMARANG[0], SAME_PERSON], None, [], 2,
     [("desk", ["s0", "s0b"])], [], []),
    ("two people: two groups", SEMARANG[:2], None, [], 2, [("desk", ["s0"]), ("desk", ["s1"])], [], []),
    ("the flood limit lets the oldest two through and holds the third", SEMARANG, arrived_in_order, [], 3,
     [("desk", ["s0"]), ("desk", ["s1"])], [], ["flood"]),
    ("a flood key full from earlier deliveries holds everything", SEMARANG[:1], flood_full, [], 2, [], [], ["flood"]),
    ("deliveries outside the window do not count", SEMARANG[:1], flood_expired, [], 2, [("desk", ["s0"])], [], []),
    ("a silence mutes (and says which)", SEMARANG[:1], None, [silence('agency="PEMKOT-3374"')], 2, [],
     [("s0", "silenced:si_")], []),
    ("a silence for another agency does not", SEMARANG[:1], None, [silence('agency="BPS"')], 2,
     [("desk", ["s0"])], [], []),
    ("an ended silence unmutes", SEMARANG[:1], muted_before, [], 2, [("desk", ["s0"])], [("s0", None)], []),
    ("an account-level case inhibits the person's post-level items", SEMARANG[:1], account_case_open, [], 2, [],
     [("s0", "inhibited:account-inhibits-posts:al_account")], []),
    ("what a group sent is not sent again", SEMARANG[:1], sent_already, [], 30, [], [], []),
]


@pytest.mark.parametrize("alerts,change,silences,minutes,batches,muted,flood_limited", [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
async def test_flush_table(dispatch_config, alerts, change, silences, minutes, batches, muted, flood_limited):
    working = await routed(alerts, dispatch_config)
    if change:
        change(working)
    before = {k: dict(v) for k, v in working.open.items()}
    plan = plan_flush(working, silences, T0 + minutes * M, routes_by_name(dispatch_config))
    assert sorted((p.docs[0]["receiver"], sorted(NAMES[d["case_id"]] for d in p.docs)) for p in plan.batches) == batches
    got_muted = [(NAMES[working.open[i]["case_id"]], reason) for i, reason in plan.muted]
    assert len(got_muted) == len(muted)
    for (case, reason), (want_case, prefix) in zip(sorted(got_muted, key=str), sorted(muted, key=str)):
        assert case == want_case and (reason == prefix if prefix is None else reason.startswith(prefix))
    assert sorted({name for name, _ in plan.flood_limited}) == flood_limited
    assert working.open == before  # pure: the plan says what to change, the caller changes it


async def test_a_batch_names_its_group_and_the_group_state_it_starts_from(dispatch_config):
    working = await routed(SEMARANG[:1], dispatch_config)
    routes = routes_by_name(dispatch_config)
    plan = plan_flush(working, [], T0 + 2 * M, routes)
    [planned] = plan.batches
    assert planned.group_id == planned.docs[0]["group_id"] and planned.group == {}
    assert planned.batch.status == "firing" and planned.batch.item_ids == (planned.docs[0]["item_id"],)
    assert planned.batch.log_key == plan_flush(working, [], T0 + 3 * M, routes).batches[0].batch.log_key
