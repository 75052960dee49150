"""kill -9 of the notify dispatcher in the middle of delivering webhooks, then a restart: no
notification-log key is lost, no item goes out under two different keys, and every repeat on the
wire carries the same Idempotency-Key and the same body (so a receiver that stores keys acts once).
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict

import pytest

from shared.kafka import WEB_PORT_OFFSETS
from shared.settings import REPO_ROOT
from tests.local_servers import free_port
from tests.unit.notify.conftest import make_alert

from .conftest import write_config
from .helpers import put_alert

pytestmark = pytest.mark.integration
N = 30


def spawn(env: dict, log_path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "services.dispatcher"], cwd=REPO_ROOT, env=env,
                            stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)


async def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_kill_9_during_delivery_then_restart(db, receiver, settings, tmp_path):
    folder = write_config(tmp_path / "config", receiver.base, "unused-topic", route={
        "receiver": "desk", "group_by": ["nip"], "group_wait": "0s", "group_interval": "1m"}, inhibit_rules=[])
    receiver.delay = 1.0  # slow receiver: the kill lands while requests are in flight
    alerts = [make_alert(nip=f"198503122010011{i:03d}", external_id=f"crash-{i}") for i in range(N)]
    for alert in alerts:
        await put_alert(db, alert)
    base_uri = settings.mongodb_uri.rsplit("/", 1)[0]
    env = {**os.environ, "MONGODB_URI": f"{base_uri}/{db.name}", "PANTAU_CONFIG_DIR": str(folder),
           "PANTAU_NOTIFY_INSTANCE": "crash-test", "PANTAU_NOTIFY_INTERVAL_S": "0.2", "PANTAU_NOTIFY_LEASE_S": "5",
           "PANTAU_TEST_WEBHOOK_SECRET": "rahasia-integrasi",
           # its own health port: the stack's dispatcher may already listen on the suite's
           "PANTAU_WEB_PORT_BASE": str(free_port() - WEB_PORT_OFFSETS["dispatcher"])}
    log_path = tmp_path / "dispatcher.log"

    first = spawn(env, log_path)
    try:
        await wait_until(lambda: asyncio.sleep(0, len(receiver.requests) >= 6), 60, "deliveries to start")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = len(receiver.requests)
    pending_at_kill = {d["_id"] for d in await db["notify_log"].find({"state": "pending"}).to_list(None)}
    sent_at_kill = await db["notify_log"].count_documents({"state": "sent"})
    assert pending_at_kill, "the kill should interrupt at least one delivery"

    second = spawn(env, log_path)
    try:
        async def all_sent():
            return (await db["notify_log"].count_documents({"state": "sent"}) == N
                    and await db["notify_items_done"].count_documents({"state": "notified"}) == N)
        await wait_until(all_sent, 90, "every notification to be sent after the restart")
        await asyncio.sleep(1.5)  # a few more cycles: nothing else may go out
    finally:
        second.terminate()
        second.wait(timeout=30)

    by_key: dict[str, list[bytes]] = defaultdict(list)
    for r in receiver.requests:
        assert r["valid"]
        by_key[r["key"]].append(r["body"])
    keys_for_case: dict[str, set[str]] = defaultdict(set)
    for key, bodies in by_key.items():
        assert len(set(bodies)) == 1, "a repeated key must carry the identical body"
        for item in json.loads(bodies[0])["items"]:
            keys_for_case[item["case_id"]].add(key)
    assert set(keys_for_case) == {a.alert_id for a in alerts}  # none lost
    assert all(len(k) == 1 for k in keys_for_case.values())  # never under two different keys
    assert len(by_key) == N
    repeats = {k: len(v) for k, v in by_key.items() if len(v) > 1}
    assert set(repeats) <= pending_at_kill  # only deliveries cut by the kill are repeated, same key
    assert all(n == 2 for n in repeats.values())
    print(f"\nkill -9 after {at_kill} requests ({sent_at_kill} logged sent, {len(pending_at_kill)} pending); "
          f"after restart: {len(receiver.requests)} requests, {len(by_key)} distinct keys, "
          f"{len(repeats)} repeated once with the same key, 0 lost")
