"""Grouping timers (Alertmanager ``group_wait``, ``group_interval``, ``repeat_interval``).

A group is (receiver integration, group key). Items (one per case event) join their group; the
group is *due*:
- first message: ``group_wait`` after its oldest pending item arrived, so several contents of one
  person inside the window become one message;
- later messages: ``group_interval`` after the last send, carrying only the items not yet sent
  (an item is notified to a receiver once: the same NIP and content never alerts twice);
- reminders: if ``repeat_interval`` is set and nothing new arrived, the still-open items are
  re-sent once per interval with status ``reminder`` (off by default).

The batch key ``(integration, group_key, content-set hash)`` is the notification-log key.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Sequence


@dataclass(frozen=True)
class PendingItem:
    item_id: str  # "<case_id>:<event>"
    case_id: str
    event: str
    created_at: datetime  # when the item joined the group (case event time)


@dataclass(frozen=True)
class GroupState:
    integration: str
    group_key: str
    last_sent_at: datetime | None = None
    sent_item_ids: frozenset[str] = field(default_factory=frozenset)
    reminders_sent: int = 0
    backlog: bool = False  # the last batch hit max_items: the rest is due at once


@dataclass(frozen=True)
class Timers:
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta | None = None


@dataclass(frozen=True)
class Batch:
    integration: str
    group_key: str
    status: Literal["firing", "reminder"]
    item_ids: tuple[str, ...]
    content_hash: str
    remaining: int = 0  # items of this group left for the next message (max_items reached)

    @property
    def log_key(self) -> str:
        """Unique notification-log key; also the receiver's idempotency key."""
        digest = hashlib.sha256(
            f"{self.integration}\x1f{self.group_key}\x1f{self.content_hash}".encode()
        ).hexdigest()
        return "nf_" + digest[:40]


def content_hash(item_ids: Sequence[str], salt: str = "") -> str:
    joined = "\n".join(sorted(set(item_ids)))
    return hashlib.sha256(f"{salt}\x1e{joined}".encode()).hexdigest()[:32]


def due_at(state: GroupState, pending: Sequence[PendingItem], timers: Timers) -> datetime | None:
    """When this group should next send, or ``None`` when there is nothing to send."""
    new = [p for p in pending if p.item_id not in state.sent_item_ids]
    if new:
        oldest = min(p.created_at for p in new)
        if state.last_sent_at is None:
            return oldest + timers.group_wait
        if state.backlog:
            return state.last_sent_at
        return max(state.last_sent_at + timers.group_interval, oldest)
    if timers.repeat_interval and state.last_sent_at is not None and state.sent_item_ids:
        return state.last_sent_at + timers.repeat_interval
    return None


def next_batch(
    state: GroupState,
    pending: Sequence[PendingItem],
    timers: Timers,
    now: datetime,
    open_item_ids: frozenset[str] | None = None,
    max_items: int | None = None,
) -> Batch | None:
    """The batch to send now, if the group is due.

    ``pending``: items routed to this group that are not inhibited/silenced/flood-deferred.
    ``open_item_ids``: for reminders, sent items whose cases are still unacknowledged.
    """
    when = due_at(state, pending, timers)
    if when is None or now < when:
        return None
    seen: set[str] = set()
    new: list[str] = []
    for p in sorted(pending, key=lambda p: (p.created_at, p.item_id)):
        if p.item_id not in state.sent_item_ids and p.item_id not in seen:
            seen.add(p.item_id)
            new.append(p.item_id)
    if new:
        take = new[:max_items] if max_items else new
        return Batch(state.integration, state.group_key, "firing", tuple(take), content_hash(take),
                     remaining=len(new) - len(take))
    open_ids = sorted(open_item_ids if open_item_ids is not None else state.sent_item_ids)
    if max_items:
        open_ids = open_ids[:max_items]
    if not open_ids:
        return None
    salt = f"reminder-{state.reminders_sent + 1}"
    return Batch(state.integration, state.group_key, "reminder", tuple(open_ids), content_hash(open_ids, salt))


def advance(state: GroupState, batch: Batch, sent_at: datetime) -> GroupState:
    """The group state after ``batch`` was durably logged."""
    return GroupState(
        integration=state.integration,
        group_key=state.group_key,
        last_sent_at=sent_at,
        sent_item_ids=state.sent_item_ids | frozenset(batch.item_ids),
        reminders_sent=state.reminders_sent + (1 if batch.status == "reminder" else 0),
        backlog=batch.remaining > 0,
    )
