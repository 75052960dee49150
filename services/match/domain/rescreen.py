"""Who re-screens a registry version, decided from its claim documents alone (pure).

One match worker re-screens each newly active version. Its claim carries a lease (``lease_until``)
that it renews while it works; a claim whose lease ran out with no ``VERSION:done`` record belongs to
a worker that died (or whose re-screen failed), and the next worker to look takes it over and runs
the re-screen again over the same window (it is idempotent).

Why claims are only ever *inserted*: FerretDB v1 runs a filtered ``update``/``findAndModify`` as a
read, then a write by ``_id`` outside any transaction, so two workers that both read an expired lease
would both "win" a conditional update. A unique ``_id`` insert has exactly one winner on FerretDB and
MongoDB alike: generation 0 is ``_id = VERSION`` (as before leases), takeover *n* inserts
``VERSION:takeover:n``, and each claim's lease is then written by its owner only.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

TAKEOVER = ":takeover:"
DONE = ":done"


def claim_id(version: str, generation: int) -> str:
    return version if generation == 0 else f"{version}{TAKEOVER}{generation}"


def done_id(version: str) -> str:
    return f"{version}{DONE}"


def state_filter(version: str) -> dict[str, Any]:
    """Every document of ``version`` (claims written before leases carry no ``version`` field)."""
    return {"$or": [{"_id": version}, {"version": version}]}


@dataclass(frozen=True)
class Claim:
    id: str
    generation: int
    worker: str | None
    since: datetime | None
    claimed_at: datetime | None
    lease_until: datetime | None  # None: written before leases existed, so nobody renews it

    def expired(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until < now


@dataclass(frozen=True)
class RescreenState:
    claim: Claim | None  # the newest generation
    done: dict[str, Any] | None


def read_state(version: str, documents: Iterable[dict[str, Any]]) -> RescreenState:
    claims, done = [], None
    for doc in documents:
        if doc["_id"] == done_id(version):
            done = doc
        elif doc["_id"] == version or str(doc["_id"]).startswith(version + TAKEOVER):
            generation = int(doc.get("generation") or 0)
            claims.append(Claim(doc["_id"], generation, doc.get("worker"), doc.get("since"),
                                doc.get("claimed_at"), doc.get("lease_until")))
    return RescreenState(max(claims, key=lambda c: c.generation, default=None), done)


Action = Literal["disabled", "done", "claim", "wait", "take_over"]


@dataclass(frozen=True)
class Decision:
    action: Action
    claim_id: str | None = None
    generation: int = 0
    since: datetime | None = None


def decide(version: str, state: RescreenState, now: datetime, rescreen_days: int) -> Decision:
    """What a worker holding ``version`` loaded (and running no re-screen of it) should do now."""
    if rescreen_days <= 0:
        return Decision("disabled")
    if state.done is not None:
        return Decision("done")
    claim = state.claim
    if claim is None:
        return Decision("claim", claim_id(version, 0), 0, now - timedelta(days=rescreen_days))
    if not claim.expired(now):
        return Decision("wait")
    since = claim.since or now - timedelta(days=rescreen_days)  # the window the first claim chose
    return Decision("take_over", claim_id(version, claim.generation + 1), claim.generation + 1, since)


def claim_document(version: str, decision: Decision, worker_id: str, now: datetime,
                   lease_s: float) -> dict[str, Any]:
    return {"_id": decision.claim_id, "version": version, "generation": decision.generation,
            "worker": worker_id, "since": decision.since, "claimed_at": now,
            "lease_until": now + timedelta(seconds=lease_s)}


def superseded(state: RescreenState, generation: int) -> bool:
    """A newer claim exists: this worker's lease ran out (it stalled) and another took over."""
    return state.claim is not None and state.claim.generation > generation


Status = Literal["done", "in_progress", "stalled", "not_claimed"]


def status(state: RescreenState, now: datetime) -> dict[str, Any]:
    """For `pantau registry status`: done, in progress (live lease) or stalled (will be resumed)."""
    claim = state.claim
    if state.done is not None:
        label: Status = "done"
    elif claim is None:
        label = "not_claimed"
    else:
        label = "stalled" if claim.expired(now) else "in_progress"
    out: dict[str, Any] = {"state": label}
    if claim is not None:
        out |= {"claimed_by": claim.worker, "generation": claim.generation, "since": claim.since,
                "claimed_at": claim.claimed_at, "lease_until": claim.lease_until}
    if state.done is not None:
        out |= {k: state.done[k] for k in ("partisan", "rematched", "new_results", "new_match_band", "done_at")
                if k in state.done}
        out["done_by"] = state.done.get("worker")
    return out


def describe(status_: dict[str, Any]) -> str:
    """One line of ``status()`` for people (`pantau registry status` without ``--json``)."""
    state = status_["state"]
    if state == "done":
        return (f"done by {status_.get('done_by')} at {status_.get('done_at')}: {status_.get('rematched', 0)} "
                f"re-matched, {status_.get('new_results', 0)} new results ({status_.get('new_match_band', 0)} match)")
    if state == "in_progress":
        return f"in progress by {status_['claimed_by']}, lease until {status_['lease_until']}"
    if state == "stalled":
        return (f"stalled: {status_['claimed_by']} stopped renewing its lease (until {status_['lease_until']}); "
                "the next match worker's registry timer takes it over")
    return "not claimed (no worker has loaded this version yet, or rescreen_days is 0)"
