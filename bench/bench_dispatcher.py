"""Dispatcher at backlog (issue 13): N pending items held back by a flood limit, then one new case
for another agency. Measures the cycle time with the backlog in place and how long the new agency's
first notification takes (target: cycle < 2 s, first notification within group_wait + 5 s).

Uses the FerretDB of the current environment (``MONGODB_URI``; started with ``pantau infra up``)
in a throw-away database, and a local webhook receiver. One short run:

    python -m bench dispatcher            # 20,000 items
    python -m bench dispatcher --quick    # 2,000 items
"""
from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import yaml

GROUP_WAIT_S = 2.0


def _config(folder: Path, receiver: str):
    from services.notify.domain.config import load_notify_config
    from shared.settings import REPO_ROOT

    folder.mkdir(parents=True, exist_ok=True)
    for name in ("agencies.yaml", "central_agencies.yaml", "sanctions.yaml"):
        shutil.copy(REPO_ROOT / "config" / name, folder / name)
    routes = {
        "receivers": [{"name": "agency", "webhook": [{"url": receiver + "/agency/{agency}",
                                                      "secret_env": "PANTAU_BENCH_WEBHOOK_SECRET", "timeout": "2s"}]}],
        "route": {"receiver": "agency", "group_by": ["agency", "nip"], "group_wait": f"{GROUP_WAIT_S:g}s",
                  "group_interval": "1m"},
        "flood_limits": [{"name": "flood", "per": ["receiver", "agency"], "max_items": 10, "window": "1h"}],
        "cases": {"escalate_unacknowledged_after": "7d"},
    }
    (folder / "routes.yaml").write_text(yaml.safe_dump(routes))
    return load_notify_config(folder)


async def _scenario(items: int) -> dict:
    from aiohttp import web

    from services.dispatcher.budget import RetryBudget
    from services.dispatcher.channels.base import Channels
    from services.dispatcher.channels.retry import RetryPolicy
    from services.dispatcher.channels.webhook import WebhookChannel
    from services.dispatcher.cycle import Dispatcher
    from services.notify.store import NotifyStore
    from shared.mongo import connect
    from shared.schemas import utcnow
    from shared.settings import get_settings
    from shared.stored import StoredAlert
    from tests.unit.notify.conftest import make_alert

    os.environ.setdefault("PANTAU_BENCH_WEBHOOK_SECRET", "bench-secret")
    arrivals: list[tuple[str, float]] = []

    async def handle(request):
        await request.read()
        arrivals.append((request.path, time.monotonic()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    config = _config(tmp / "config", f"http://127.0.0.1:{port}")
    settings = get_settings()
    client, _ = connect(settings)
    db = client[f"bench_dispatch_{uuid.uuid4().hex[:8]}"]
    store = NotifyStore(db)
    out: dict = {"items": items, "group_wait_s": GROUP_WAIT_S}
    try:
        await store.ensure_indexes()
        def dispatcher() -> Dispatcher:
            webhook = WebhookChannel(RetryPolicy(max_attempts=2, base_delay=0.05, timeout=2))
            return Dispatcher(store, config, Channels([webhook]), public_url="http://127.0.0.1:1", owner="bench",
                              retry_budget=RetryBudget())

        d = dispatcher()
        # one real case routed by the dispatcher gives the exact item shape; the backlog clones it
        seed = make_alert(external_id="seed")
        await db[StoredAlert.COLLECTION].insert_one(StoredAlert.of(seed).document())
        await store.ensure_case(seed, seed.created_at)
        now = utcnow()
        await d.working.reload(now)
        await d.steps.run(now)
        template = next(iter(d.working.open.values()))
        key = d.working.flood_key(template)[0]
        started = time.perf_counter()
        await store.record_flood([{"_id": f"held-{i}", "flood_key": key, "at": now} for i in range(10)])
        docs = []
        for i in range(items):
            case_id = f"al_backlog_{i:06d}"
            docs.append({**template, "_id": f"it_backlog_{i:06d}", "item_id": f"{case_id}:suspected",
                         "case_id": case_id, "group_key": f"{template['group_key']}-{i % 500}",
                         "group_id": f"{template['group_id']}-{i % 500}"})
        for start in range(0, len(docs), 1000):
            await db["notify_items"].insert_many(docs[start:start + 1000], ordered=False)
        await db["cases"].insert_many([{"_id": f"al_backlog_{i:06d}", "agency_code": seed.agency_code,
                                        "status": "new", "created_at": now} for i in range(items)], ordered=False)
        out["setup_s"] = round(time.perf_counter() - started, 1)

        fresh = dispatcher()
        t = time.perf_counter()
        await fresh.run_once()
        out["first_cycle_with_reload_s"] = round(time.perf_counter() - t, 3)
        cycles = []
        for _ in range(5):
            t = time.perf_counter()
            await fresh.run_once()
            cycles.append(time.perf_counter() - t)
        out["steady_cycle_s"] = {"median": round(statistics.median(cycles), 3), "max": round(max(cycles), 3)}
        # a new agency's first case while the backlog is held back
        other = make_alert(external_id="new-agency", nip="199001012015031001", agency_code="BPS",
                           agency_name="Badan Pusat Statistik", province="31", regency="31.71", created_at=utcnow())
        t0 = time.monotonic()
        await db[StoredAlert.COLLECTION].insert_one(StoredAlert.of(other).document())
        await store.ensure_case(other, other.created_at)
        busy = []
        while time.monotonic() - t0 < GROUP_WAIT_S + 30 and not any(p == "/agency/BPS" for p, _ in arrivals):
            t = time.perf_counter()
            await fresh.run_once()
            busy.append(time.perf_counter() - t)
            await asyncio.sleep(0.5)
        first = next((at for p, at in arrivals if p == "/agency/BPS"), None)
        out["new_agency_first_notification_s"] = round(first - t0, 2) if first else None
        out["cycles_while_waiting_max_s"] = round(max(busy), 3) if busy else None
        out["held_items_still_open"] = await db["notify_items"].count_documents({"state": "pending"})
        out["target"] = {"cycle_s": 2.0, "first_notification_s": GROUP_WAIT_S + 5}
        out["ok"] = (out["steady_cycle_s"]["max"] < 2.0 and first is not None
                     and first - t0 <= GROUP_WAIT_S + 5)
        await d.close()
        await fresh.close()
    finally:
        await client.drop_database(db.name)
        await client.close()
        await runner.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def run(quick: bool) -> dict:
    return asyncio.run(_scenario(2_000 if quick else 20_000))


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run("--quick" in sys.argv), indent=2))
