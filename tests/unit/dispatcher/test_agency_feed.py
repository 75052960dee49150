"""Publishing to each agency's own topic (issue 22): what is sent where, what is done, what waits."""
from __future__ import annotations

import json

import pytest

from services.dispatcher.agency_feed import AgencyFeed
from services.dispatcher.case_steps import CaseSteps
from services.dispatcher.working_set import WorkingSet
from services.notify.domain import cases as wf
from shared.topics import agency_cases_topic
from tests.unit.notify.conftest import T0, make_alert

from .fake_store import FakeStore

SEMARANG = make_alert(external_id="feed-1")


class Broker:
    def __init__(self, topics: set[str], fails: bool = False):
        self.topics, self.fails, self.sent = topics, fails, []

    async def existing_topics(self) -> set[str]:
        return self.topics

    async def publish(self, records):
        if self.fails:
            raise ConnectionError("broker down")
        self.sent.extend(records)


def forwarded_feed_entry(store: FakeStore) -> dict:
    """The ``feed`` work entry ``NotifyStore.save_case`` leaves when a case is forwarded."""
    store.alerts[SEMARANG.alert_id] = SEMARANG
    case = wf.new_case(SEMARANG.alert_id, SEMARANG.agency_code, T0)
    for action in ("verify", "forward"):
        case = wf.apply(case, action, actor="analis", role="analyst", now=T0, reason="akun cocok")
    entry = {"_id": f"feed:{case.case_id}:forwarded", "kind": "feed", "case_id": case.case_id, "event": "forwarded",
             "case": case.model_dump(mode="json")}
    store.work[entry["_id"]] = entry
    return entry


async def test_an_agency_with_a_topic_gets_the_event_keyed_by_case_with_its_idempotency_key():
    store, broker = FakeStore(), Broker({agency_cases_topic("PEMKOT-3374")})
    entry = forwarded_feed_entry(store)
    assert await AgencyFeed(store, broker, "https://pantau.example").run([entry]) == [entry["_id"]]
    [(topic, key, value, idempotency_key)] = broker.sent
    assert (topic, key, idempotency_key) == ("pantau.agency.PEMKOT-3374.cases.v1", SEMARANG.alert_id.encode(), entry["_id"])
    record = json.loads(value)
    assert record["event"] == "forwarded" and record["alert"]["alert_id"] == SEMARANG.alert_id


async def test_an_agency_without_a_topic_gets_nothing_and_the_entry_is_done():
    store, broker = FakeStore(), Broker({agency_cases_topic("BPS")})
    entry = forwarded_feed_entry(store)
    assert await AgencyFeed(store, broker, "https://pantau.example").run([entry]) == [entry["_id"]]
    assert broker.sent == []


async def test_a_broker_failure_keeps_the_entry_for_the_next_cycle(dispatch_config):
    store = FakeStore()
    entry = forwarded_feed_entry(store)
    steps = CaseSteps(store, dispatch_config, WorkingSet(store, dispatch_config),
                      AgencyFeed(store, Broker({agency_cases_topic("PEMKOT-3374")}, fails=True), "https://x"))
    with pytest.raises(ConnectionError):
        await steps.run(T0)
    assert entry["_id"] in store.work
