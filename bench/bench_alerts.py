"""`pantau alerts` at volume (issue 19, bug 5): N alerts stored through the notify stage's own
handler in batches of 250, then the time of the command's queries, in process and as the real CLI.

Before, the command read every stored alert (12 s at 4,000 alerts on FerretDB). Target: well under
a second at 200,000. Uses the FerretDB of the current environment (``MONGODB_URI``; started with
``pantau infra up``) in a throw-away database, dropped at the end:

    python -m bench alerts            # 200,000 alerts (about 10 minutes to store)
    python -m bench alerts --quick    # 20,000
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BATCH = 250
AGENCIES = 100  # common agencies, round robin; one rare agency has a handful of early alerts
RARE_ALERTS = 20


def _database_uri(uri: str, name: str) -> str:
    head, _, tail = uri.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + (f"?{tail}" if tail else "")


async def _store(total: int, tag: str) -> dict:
    from tests.integration.ops.notify_writer import matched, notify_items

    started = time.perf_counter()
    for start in range(0, total, BATCH):
        items = [matched(f"RARE-{tag}" if n < RARE_ALERTS else f"PEMKOT-{tag}-{n % AGENCIES:03d}", f"{tag}-{n}")
                 for n in range(start, min(total, start + BATCH))]
        await notify_items(items)
    elapsed = time.perf_counter() - started
    return {"alerts": total, "seconds": round(elapsed, 1), "alerts_per_s": round(total / elapsed)}


async def _queries(settings, tag: str) -> dict:
    from pantau.queries import fetch_alerts
    from shared.alert_log import AGENCY_PREFIX
    from shared.mongo import connect

    client, db = connect(settings)
    try:
        pages = len(await db.list_collection_names(filter={"name": {"$regex": f"^{AGENCY_PREFIX}"}}))
    finally:
        await client.close()
    cases = {
        "newest_50": {"limit": 50},
        "newest_500": {"limit": 500},
        "agency_50": {"limit": 50, "agency": f"PEMKOT-{tag}-007"},
        "rare_agency_whole_log": {"limit": 50, "agency": f"RARE-{tag}"},
    }
    out = {"log_pages": pages}
    for name, kwargs in cases.items():
        times, found = [], None
        for _ in range(1 if name.startswith("rare") else 5):
            started = time.perf_counter()
            found = await fetch_alerts(settings, **kwargs)
            times.append(time.perf_counter() - started)
        out[name] = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                     "rows": len(found.rows), "pages_read": found.pages_read}
    return out


def _cli(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "pantau"), "alerts", *args], check=True, capture_output=True)
    return round(time.perf_counter() - started, 3)


def run(quick: bool) -> dict:
    total = 20_000 if quick else 200_000
    name = f"bench_alerts_{uuid.uuid4().hex[:8]}"
    os.environ["MONGODB_URI"] = _database_uri(os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27017/pantau"), name)
    from shared.mongo import connect
    from shared.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    tag = uuid.uuid4().hex[:6]

    async def main() -> dict:
        stored = await _store(total, tag)
        return {"stored": stored, "query_in_process": await _queries(settings, tag)}

    try:
        result = asyncio.run(main())
        result["cli_wall_s"] = {"pantau alerts": _cli(), "pantau alerts --json --limit 50": _cli("--json", "--limit", "50"),
                                "pantau --help (the CLI's start-up, no query)": _cli_help()}
        return result
    finally:
        async def drop() -> None:
            client, _ = connect(settings)
            try:
                await client.drop_database(name)
            finally:
                await client.close()
        asyncio.run(drop())


def _cli_help() -> float:
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "pantau"), "--help"], check=True, capture_output=True)
    return round(time.perf_counter() - started, 3)
