"""No item is left in a state nobody resumes: whatever a crash or an aborted cycle left behind
(items of the older layout marked ``sending`` although their notification was sent, items archived
but not yet compacted, a pending log entry), the next dispatcher start finishes or re-sends it; and
the batched ``ensure_cases`` opens each case once with its routing work."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services.notify.store import NotifyStore
from shared.alert_log import AGENCY_PREFIX
from shared.schemas import Alert, utcnow
from tests.unit.notify.conftest import make_alert

from .helpers import dispatcher, put_alert

pytestmark = pytest.mark.integration
S = timedelta(seconds=1)


async def test_restart_finishes_items_left_sending_and_compacts_archived_ones(db, notify_setup, settings):
    recv = notify_setup["receiver"]
    alerts = [make_alert(external_id=f"rec-{i}", nip=f"19850312201001100{i}") for i in range(3)]
    for alert in alerts:
        await put_alert(db, alert)
    d = dispatcher(db, notify_setup, settings)
    t = utcnow()
    await d.run_once(t)
    await d.run_once(t + 11 * S)
    await d.close()
    sent = await db["notify_log"].find({"state": "sent"}).to_list(None)
    assert sent and len(recv.requests) >= 3
    # the older layout's failure mode: items still 'sending' although their entry says 'sent'
    done = await db["notify_items_done"].find({}).to_list(None)
    await db["notify_items_done"].delete_many({})
    await db["notify_items"].delete_many({})
    await db["notify_items"].insert_many([{**doc, "state": "sending", "log_key": next(
        e["_id"] for e in sent if doc["_id"] in e["item_doc_ids"])} for doc in done])
    before = len(recv.requests)
    d2 = dispatcher(db, notify_setup, settings)
    await d2.run_once(t + 20 * S)
    await d2.close()
    assert await db["notify_items"].count_documents({}) == 0  # finished and compacted
    assert await db["notify_items_done"].count_documents({"state": "notified"}) == len(done)
    assert len(recv.requests) == before  # finishing never re-sends what the log says was sent


async def test_ensure_cases_is_insert_only_and_opens_each_case_once(db):
    store = NotifyStore(db)
    alerts = [make_alert(external_id=f"batch-{i}") for i in range(5)]
    now = utcnow()
    assert await store.ensure_cases(alerts[:3], now) == 3
    assert await store.ensure_cases(alerts, now) == 2  # the first three exist: skipped, not replaced
    assert await db["cases"].count_documents({}) == 5
    work = await store.open_work()
    assert sorted(w["case_id"] for w in work) == sorted(a.alert_id for a in alerts)
    assert all(w["kind"] == "route" and Alert.model_validate_json(w["alert"]).alert_id == w["case_id"] for w in work)


async def test_a_route_entry_names_the_log_page_and_the_dispatcher_routes_from_it(db, notify_setup, settings):
    alerts = [make_alert(external_id=f"paged-{i}", nip=f"19850312201001101{i}") for i in range(3)]
    for alert in alerts:
        await put_alert(db, alert)
    work = await NotifyStore(db).open_work()
    assert all(w["alert_page"].startswith(AGENCY_PREFIX) and "alert" not in w for w in work)
    d = dispatcher(db, notify_setup, settings)
    await d.run_once(utcnow())
    await d.close()
    cases = await db["cases"].find({"_id": {"$in": [a.alert_id for a in alerts]}}).to_list(None)
    assert len(cases) == 3 and not any(c["needs_routing"] for c in cases)  # routed: the alerts were found
    assert {c["labels"]["nip"] for c in cases} == {a.subject.nip for a in alerts}

