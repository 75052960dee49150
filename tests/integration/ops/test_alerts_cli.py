"""`pantau alerts` on the real stack: newest first, --limit, --since, --before, --agency (issue 19, bug 5).

Before: it read every stored alert, oldest first (12 s at 4,000 alerts on FerretDB). The alerts are
stored by the notify stage's own handler (tests.integration.ops.notify_writer), in three batches a
second or more apart, so each batch has its own ``created_at``.
"""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest

from tests.integration.conftest import run_cli, unique
from tests.integration.ops.notify_writer import matched, notify_items

pytestmark = pytest.mark.integration


def _cli(*args: str):
    done = run_cli("alerts", "--json", *args)
    return [json.loads(line)["alert_id"] for line in done.stdout.splitlines() if line.strip()], done.stderr


@pytest.fixture(scope="module")
def stored(stack):
    """Three batches: 3 alerts for agency A, then 2 for B, then 2 for A; ids newest first per batch."""
    tag = unique("al")
    a, b = f"PEMKOT-{tag}-A", f"PEMKOT-{tag}-B"
    plan = [(a, 3), (b, 2), (a, 2)]

    async def write():
        batches = []
        for number, (agency, count) in enumerate(plan):
            if number:
                await asyncio.sleep(1.2)
            sent = await notify_items([matched(agency, f"{tag}-{number}-{i}") for i in range(count)])
            batches.append((datetime.now(timezone.utc), sorted((json.loads(o.value)["alert_id"] for o in sent), reverse=True)))
        return batches

    started = datetime.now(timezone.utc)
    batches = asyncio.run(write())
    return {"a": a, "b": b, "since": started.isoformat(), "after_first": batches[0][0].isoformat(),
            "batches": [ids for _, ids in batches]}


def test_order_limit_since_agency(stored):
    first, second, third = stored["batches"]
    since = ("--since", stored["since"])
    cases = [  # (arguments, expected ids newest first, expected last line)
        ([*since], third + second + first, "7 shown, no more match"),
        ([*since, "--limit", "4"], third + second, "4 shown, more are older"),
        ([*since, "--agency", stored["a"]], third + first, "5 shown, no more match"),
        ([*since, "--agency", stored["b"], "--limit", "1"], second[:1], "1 shown, more are older"),
        (["--since", stored["after_first"]], third + second, "4 shown, no more match"),
        (["--agency", stored["b"]], second, "2 shown, no more match"),
    ]
    for args, expected, last_line in cases:
        ids, stderr = _cli(*args)
        assert ids == expected, args
        assert last_line in stderr, (args, stderr)


def test_pages_follow_the_cursor(stored):
    first, second, third = stored["batches"]
    seen, args = [], ["--since", stored["since"], "--limit", "3"]
    for _ in range(5):
        ids, stderr = _cli(*args)
        seen += ids
        if "more are older" not in stderr:
            break
        args = ["--since", stored["since"], "--limit", "3", "--before", stderr.split("--before '")[1].split("'")[0]]
    assert seen == third + second + first


@pytest.mark.parametrize("text", ["yesterday", "2h ago", "12/01/2026", "3 days"])
def test_unreadable_times_say_what_to_write(text):
    done = run_cli("alerts", "--since", text, check=False)
    assert done.returncode == 2
    assert "--since" in done.stderr and "2026-12-01T08:00+07:00" in done.stderr and "30m, 2h, 3d" in done.stderr


def test_the_table_masks_nips_unless_asked(stored, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # a wide table: no cell is cut
    nips = {json.loads(line)["subject"]["nip"]
            for line in run_cli("alerts", "--json", "--agency", stored["b"]).stdout.splitlines() if line.strip()}
    masked = run_cli("alerts", "--agency", stored["b"]).stdout
    shown = run_cli("alerts", "--agency", stored["b"], "--show-nip").stdout
    assert nips and not any(nip in masked for nip in nips) and all(nip in shown for nip in nips)
