"""Issue 22: a suspicion reaches an agency's own topic without an analyst only when a route
auto-forwards it (the dispatcher's own publishing, on the real secured broker)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.dispatcher.channels.kafka import KafkaFeed, LazyProducer
from services.notify.domain.config import load_notify_config
from shared.kafka_client import client_options
from shared.schemas import utcnow
from tests.integration.conftest import unique
from tests.integration.test_agency_topics import B, create_credential, events_of, read_records
from tests.unit.notify.conftest import make_alert

from .conftest import write_config
from .helpers import dispatcher, put_alert

pytestmark = pytest.mark.integration


async def test_a_suspicion_reaches_the_agency_topic_only_when_a_route_auto_forwards_it(db, notify_setup, settings, tmp_path):
    """A route auto-forwards BPS's cases and no other."""
    route = {"receiver": "ops", "group_by": ["agency"], "routes": [
        {"name": "bps-auto", "matchers": ['event="forwarded"', 'agency="BPS"'], "receiver": "ops", "auto_forward": True}]}
    folder = write_config(tmp_path / "auto", notify_setup["receiver"].base, notify_setup["topic"], route=route)
    setup = {**notify_setup, "config": load_notify_config(folder)}
    bps, pemkot = create_credential("BPS"), create_credential(B)
    auto = make_alert(external_id=unique("auto"), nip="199001012015031001", agency_code="BPS",
                      agency_name="Badan Pusat Statistik", province="31", regency="31.71")
    held = make_alert(external_id=unique("held"))  # PEMKOT-3374: no route forwards it
    for alert in (auto, held):
        await put_alert(db, alert)
    producer = LazyProducer(client_options(settings))
    d = dispatcher(db, setup, settings, feed=KafkaFeed(producer))
    now = utcnow()
    try:
        first = await d.run_once(now)  # routed; BPS's case auto-forwarded (its feed entry written)
        assert first["routed"] == 2
        await d.run_once(now + timedelta(seconds=1))  # the feed entry published
    finally:
        await d.close()

    records = await read_records(bps, lambda rs: "forwarded" in events_of(rs, auto.alert_id))
    [record] = [r for r in records if r["case_id"] == auto.alert_id]
    assert [h["action"] for h in record["case"]["history"]] == ["auto_forward"]
    assert "bps-auto" in record["case"]["history"][0]["reason"]
    assert await db["cases"].find_one({"_id": held.alert_id}, {"status": 1}) == {"_id": held.alert_id, "status": "new"}
    everything = await read_records(pemkot, lambda rs: True, timeout=5)
    assert events_of(everything, held.alert_id) == []
