from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from services.notify.domain.flood import FloodLimit, apply_flood_limits
from services.notify.domain.grouping import GroupState, PendingItem, Timers, advance, due_at, next_batch
from services.notify.domain.inhibit import InhibitRule, inhibited_by
from services.notify.domain.silences import Silence, silenced_by, validate_new_silence

from .conftest import T0

S = timedelta(seconds=1)
M = timedelta(minutes=1)
TIMERS = Timers(group_wait=2 * M, group_interval=15 * M)


def item(n: int, at: timedelta) -> PendingItem:
    return PendingItem(f"al_{n}:forwarded", f"al_{n}", "forwarded", T0 + at)


# ------------------------------------------------------------------ grouping
# state, pending, now offset -> expected item numbers in the batch (None = not due)
GROUPING = [
    ("first item waits group_wait", GroupState("r/webhook0", "g"), [item(1, 0 * M)], 1 * M, None),
    ("due at group_wait", GroupState("r/webhook0", "g"), [item(1, 0 * M)], 2 * M, [1]),
    ("contents inside the window become one message", GroupState("r/webhook0", "g"),
     [item(1, 0 * M), item(2, 30 * S), item(3, 90 * S)], 2 * M, [1, 2, 3]),
    ("after a send, new items wait group_interval",
     GroupState("r/webhook0", "g", last_sent_at=T0 + 2 * M, sent_item_ids=frozenset({"al_1:forwarded"})),
     [item(1, 0 * M), item(2, 5 * M)], 10 * M, None),
    ("... and then only the new ones go",
     GroupState("r/webhook0", "g", last_sent_at=T0 + 2 * M, sent_item_ids=frozenset({"al_1:forwarded"})),
     [item(1, 0 * M), item(2, 5 * M)], 17 * M, [2]),
    ("nothing new, no repeat_interval: never again",
     GroupState("r/webhook0", "g", last_sent_at=T0, sent_item_ids=frozenset({"al_1:forwarded"})),
     [item(1, 0 * M)], 1000 * M, None),
]


@pytest.mark.parametrize("state,pending,now,expected", [g[1:] for g in GROUPING], ids=[g[0] for g in GROUPING])
def test_grouping_table(state, pending, now, expected):
    batch = next_batch(state, pending, TIMERS, T0 + now)
    if expected is None:
        assert batch is None
    else:
        assert batch is not None and batch.status == "firing"
        assert batch.item_ids == tuple(f"al_{n}:forwarded" for n in expected)


def test_same_items_same_log_key_and_advance_marks_sent():
    state = GroupState("r/webhook0", "g")
    pending = [item(2, 10 * S), item(1, 0 * S)]
    a = next_batch(state, pending, TIMERS, T0 + 3 * M)
    b = next_batch(state, list(reversed(pending)), TIMERS, T0 + 4 * M)
    assert a.log_key == b.log_key and a.log_key.startswith("nf_")
    other = next_batch(GroupState("r/email0", "g"), pending, TIMERS, T0 + 3 * M)
    assert other.log_key != a.log_key  # one key per integration: a failed e-mail never re-sends the webhook
    after = advance(state, a, T0 + 3 * M)
    assert next_batch(after, pending, TIMERS, T0 + 1000 * M) is None


def test_max_items_splits_without_losing_and_flushes_backlog_at_once():
    pending = [item(n, n * S) for n in range(5)]
    state = GroupState("r/webhook0", "g")
    first = next_batch(state, pending, TIMERS, T0 + 3 * M, max_items=2)
    assert len(first.item_ids) == 2 and first.remaining == 3
    state = advance(state, first, T0 + 3 * M)
    assert due_at(state, pending, TIMERS) == T0 + 3 * M  # backlog: due now, not after group_interval
    second = next_batch(state, pending, TIMERS, T0 + 3 * M, max_items=2)
    state = advance(state, second, T0 + 3 * M)
    third = next_batch(state, pending, TIMERS, T0 + 3 * M, max_items=2)
    state = advance(state, third, T0 + 3 * M)
    assert third.remaining == 0
    assert sorted(first.item_ids + second.item_ids + third.item_ids) == sorted(p.item_id for p in pending)
    assert due_at(state, pending, TIMERS) is None


def test_repeat_interval_reminders_have_their_own_keys():
    timers = Timers(2 * M, 15 * M, repeat_interval=24 * 60 * M)
    state = GroupState("r/webhook0", "g", last_sent_at=T0, sent_item_ids=frozenset({"al_1:forwarded"}))
    assert next_batch(state, [item(1, 0 * M)], timers, T0 + 23 * 60 * M) is None
    r1 = next_batch(state, [item(1, 0 * M)], timers, T0 + 24 * 60 * M)
    assert r1.status == "reminder"
    state2 = advance(state, r1, T0 + 24 * 60 * M)
    r2 = next_batch(state2, [item(1, 0 * M)], timers, T0 + 48 * 60 * M)
    assert r2.status == "reminder" and r2.log_key != r1.log_key
    # acknowledged meanwhile -> nothing open -> no reminder
    assert next_batch(state2, [item(1, 0 * M)], timers, T0 + 48 * 60 * M, open_item_ids=frozenset()) is None


# ------------------------------------------------------------------ silences
def silence(**kw) -> Silence:
    base = dict(matchers=['agency="PEMKOT-3374"', 'form=~"engagement|partisan_photo"'], starts_at=T0,
                ends_at=T0 + timedelta(days=2), created_by="analis-bkn-1",
                comment="Sosialisasi resmi KPU, bukan kampanye")
    base.update(kw)
    return Silence(**base)


LABELS = {"agency": "PEMKOT-3374", "form": "engagement", "receiver": "employing-agency", "recipient": "PEMKOT-3374"}
SILENCES = [
    ("active and matching", silence(), LABELS, T0 + M, True),
    ("not started", silence(starts_at=T0 + timedelta(hours=1)), LABELS, T0 + M, False),
    ("expired (end exclusive)", silence(), LABELS, T0 + timedelta(days=2), False),
    ("other form", silence(), {**LABELS, "form": "mobilization"}, T0 + M, False),
    ("agency silence mutes messages to that agency", silence(agency_code="PEMKOT-3374"), LABELS, T0 + M, True),
    ("agency silence cannot mute BKN's copy", silence(agency_code="PEMKOT-3374"),
     {**LABELS, "receiver": "bkn-neutrality-desk", "recipient": "BKN"}, T0 + M, False),
]


@pytest.mark.parametrize("s,labels,now,muted", [x[1:] for x in SILENCES], ids=[x[0] for x in SILENCES])
def test_silence_table(s, labels, now, muted):
    assert bool(silenced_by(labels, [s], now)) is muted


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"ends_at": T0}, "ends_at must be after starts_at"),
        ({"created_by": ""}, "at least 1 character"),
        ({"comment": ""}, "at least 3 characters"),
        ({"matchers": []}, "at least 1 item"),
        ({"matchers": ['form=~"("']}, "invalid regular expression"),
    ],
)
def test_silence_validation(kw, message):
    with pytest.raises(ValidationError) as exc:
        silence(**kw)
    assert message in str(exc.value)


def test_new_silence_rules_and_stable_id():
    s = silence()
    assert s.id.startswith("si_") and s.id == silence().id
    with pytest.raises(ValueError, match="already be over"):
        validate_new_silence(s, T0 + timedelta(days=3), timedelta(days=30))
    with pytest.raises(ValueError, match="at most"):
        validate_new_silence(silence(ends_at=T0 + timedelta(days=40)), T0, timedelta(days=30))
    validate_new_silence(s, T0, timedelta(days=30))


# ------------------------------------------------------------------ inhibition
RULE = InhibitRule(name="account-inhibits-posts", source_matchers=['scope="account"'],
                   target_matchers=['scope="post"'], equal=["nip", "event"])


def lab(alert_id, scope, nip="198503122010012004", event="forwarded"):
    return {"alert_id": alert_id, "scope": scope, "nip": nip, "event": event}


INHIBIT = [
    ("account alert mutes a post alert of the same NIP", lab("p1", "post"), [lab("a1", "account")], "a1"),
    ("different NIP: not muted", lab("p1", "post"), [lab("a1", "account", nip="199001012015031001")], None),
    ("different event: not muted", lab("p1", "post"), [lab("a1", "account", event="suspected")], None),
    ("post does not mute post", lab("p1", "post"), [lab("p2", "post")], None),
    ("account is never muted by this rule", lab("a2", "account"), [lab("a1", "account")], None),
    ("no self-inhibition", {**lab("x", "post"), "scope": "post"}, [lab("x", "account")], None),
]


@pytest.mark.parametrize("target,sources,source_id", [x[1:] for x in INHIBIT], ids=[x[0] for x in INHIBIT])
def test_inhibit_table(target, sources, source_id):
    result = inhibited_by(target, sources, [RULE])
    assert (result.source_alert_id if result else None) == source_id


# ------------------------------------------------------------------ flood limits
LIMIT = FloodLimit(name="per-agency", per=["receiver", "agency"], max_items=3, window=timedelta(hours=1))


def fl(n, agency="PEMKOT-3374", receiver="employing-agency"):
    return (f"i{n}", {"agency": agency, "receiver": receiver})


FLOOD = [
    ("under the limit", [fl(1), fl(2)], {}, ["i1", "i2"], []),
    ("over the limit: the rest is deferred, in order", [fl(n) for n in range(5)], {}, ["i0", "i1", "i2"], ["i3", "i4"]),
    ("earlier sends in the window count", [fl(1), fl(2)], {"per-agency:receiver=employing-agency,agency=PEMKOT-3374": 2}, ["i1"], ["i2"]),
    ("per agency", [fl(1), fl(2), fl(3), fl(4, "BPS"), fl(5)], {}, ["i1", "i2", "i3", "i4"], ["i5"]),
    ("per receiver", [fl(n, receiver="r2") for n in range(3)] + [fl(9)], {}, ["i0", "i1", "i2", "i9"], []),
]


@pytest.mark.parametrize("items,recent,allowed,deferred", [x[1:] for x in FLOOD], ids=[x[0] for x in FLOOD])
def test_flood_table(items, recent, allowed, deferred):
    d = apply_flood_limits(items, [LIMIT], recent)
    assert d.allowed == allowed
    assert [x[0] for x in d.deferred] == deferred
    assert all(x[1] == "per-agency" for x in d.deferred)
