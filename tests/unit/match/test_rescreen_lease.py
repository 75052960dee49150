"""Who re-screens a registry version: golden cases of the claim, lease and takeover decisions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.match.domain.rescreen import (
    Decision, claim_document, claim_id, decide, describe, done_id, read_state, status, superseded,
)

from shared.settings import Settings

NOW = datetime(2024, 2, 1, 12, 0, tzinfo=timezone.utc)
SINCE = NOW - timedelta(days=30)
V = "20240201T110000Z-ab12"


def claim(generation: int = 0, lease_s: float | None = 30, worker: str = "host:1", **extra) -> dict:
    doc = {"_id": claim_id(V, generation), "worker": worker, "since": SINCE - timedelta(hours=3),
           "claimed_at": NOW - timedelta(minutes=5), **extra}
    if generation:
        doc |= {"version": V, "generation": generation}
    if lease_s is not None:
        doc["lease_until"] = NOW + timedelta(seconds=lease_s)
    return doc


DONE = {"_id": done_id(V), "version": V, "partisan": 9, "rematched": 9, "new_results": 2, "new_match_band": 1,
        "worker": "host:2", "done_at": NOW}
OTHER_VERSION = {"_id": "20231201T000000Z-ffff", "worker": "host:9", "since": SINCE, "lease_until": NOW - timedelta(days=60)}
WINDOW = SINCE - timedelta(hours=3)

CASES = [
    # (what, documents, rescreen_days, decision, status)
    ("no claim", [], 30, Decision("claim", V, 0, SINCE), "not_claimed"),
    ("no claim; other versions do not count", [OTHER_VERSION], 30, Decision("claim", V, 0, SINCE), "not_claimed"),
    ("claim live", [claim(lease_s=30)], 30, Decision("wait"), "in_progress"),
    ("lease ends exactly now: still live", [claim(lease_s=0)], 30, Decision("wait"), "in_progress"),
    ("claim expired: take over, same window", [claim(lease_s=-1)], 30,
     Decision("take_over", f"{V}:takeover:1", 1, WINDOW), "stalled"),
    ("claim from before leases (no lease_until): take over", [claim(lease_s=None)], 30,
     Decision("take_over", f"{V}:takeover:1", 1, WINDOW), "stalled"),
    ("takeover live: wait", [claim(lease_s=-600), claim(1, lease_s=20, worker="host:3")], 30, Decision("wait"),
     "in_progress"),
    ("takeover expired too: the next generation", [claim(lease_s=-600), claim(1, lease_s=-1, worker="host:3")], 30,
     Decision("take_over", f"{V}:takeover:2", 2, WINDOW), "stalled"),
    ("done", [claim(lease_s=-600), DONE], 30, Decision("done"), "done"),
    ("done without a claim left", [DONE], 30, Decision("done"), "done"),
    ("re-screening disabled", [claim(lease_s=-1)], 0, Decision("disabled"), "stalled"),
]


@pytest.mark.parametrize("what,documents,days,decision,label", CASES, ids=[c[0] for c in CASES])
def test_decision_and_status(what, documents, days, decision, label) -> None:
    state = read_state(V, documents)
    assert decide(V, state, NOW, days) == decision
    assert status(state, NOW)["state"] == label
    assert describe(status(state, NOW))


def test_status_names_the_claimer_and_the_lease() -> None:
    shown = status(read_state(V, [claim(lease_s=-600), claim(1, lease_s=20, worker="host:3")]), NOW)
    assert shown["claimed_by"] == "host:3" and shown["generation"] == 1
    assert shown["lease_until"] == NOW + timedelta(seconds=20)
    assert "in progress by host:3" in describe(shown)
    done = status(read_state(V, [claim(), DONE]), NOW)
    assert done["done_by"] == "host:2" and done["new_results"] == 2 and done["rematched"] == 9


def test_claim_document_carries_a_lease_and_its_generation() -> None:
    decision = decide(V, read_state(V, [claim(lease_s=-1)]), NOW, 30)
    doc = claim_document(V, decision, "host:4", NOW, 60)
    assert doc == {"_id": f"{V}:takeover:1", "version": V, "generation": 1, "worker": "host:4", "since": WINDOW,
                   "claimed_at": NOW, "lease_until": NOW + timedelta(seconds=60)}
    # Written back and read again, it is the live claim: the next worker waits.
    assert decide(V, read_state(V, [claim(lease_s=-1), doc]), NOW + timedelta(seconds=59), 30) == Decision("wait")


def test_a_worker_learns_it_was_superseded() -> None:
    state = read_state(V, [claim(lease_s=-1), claim(1, worker="host:3")])
    assert superseded(state, 0)
    assert not superseded(state, 1)
    assert not superseded(read_state(V, [claim()]), 0)


def test_a_lease_too_short_to_renew_is_refused_by_the_settings(monkeypatch) -> None:
    """`pantau check-config` validates Settings, so a lease renewed more often than once a second fails there."""
    monkeypatch.setenv("PANTAU_RESCREEN_LEASE_S", "1")
    with pytest.raises(ValidationError, match="PANTAU_RESCREEN_LEASE_S"):
        Settings()
