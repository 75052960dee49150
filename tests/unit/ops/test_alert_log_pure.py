"""The alert log's bookkeeping without a store: which page an alert goes to, where a page ends, and
what `pantau alerts --since/--before` accept (issue 19, bug 5)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import typer

from pantau.commands.stack import parse_before, parse_moment
import asyncio

from shared.alert_log import AGENCY_BUCKETS, PAGE_ALERTS, PAGE_SPAN, PREFIX, AlertLog, agency_prefix, page_alerts, pages
from tests.unit.notify.conftest import make_alert

T = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def _alerts(*minutes: float, agency: str = "PEMKOT-3374"):
    return [make_alert(external_id=f"x{i}", created_at=T + timedelta(minutes=m), agency_code=agency)
            for i, m in enumerate(minutes)]


def _main_pages(log: AlertLog, alerts) -> list[tuple[str, int]]:
    """(page name, alerts in it) of the all-agencies sequence, in the order the writer filled them."""
    placed: dict[str, list] = {}
    log._sequence(PREFIX).assign(sorted(alerts, key=lambda a: a.created_at), placed)
    return [(name, len(group)) for name, group in placed.items()]


def test_pages_roll_on_span_and_size_and_keep_replays_apart():
    log = AlertLog(writer="aaaa0001")
    in_span = _main_pages(log, _alerts(0, 1, 59))
    assert [(n.split("_")[-1], c) for n, c in in_span] == [("000001", 3)]
    after_span = _main_pages(log, _alerts(61))
    assert [n.split("_")[-1] for n, _ in after_span] == ["000002"]
    replay = _main_pages(log, _alerts(30))  # older than the current page: a one-off writer's page
    assert replay[0][0].split("_")[-2] != "aaaa0001" and replay[0][0].endswith("_000000")
    full = _main_pages(log, _alerts(*[62] * (PAGE_ALERTS + 1)))
    assert [c for _, c in full] == [PAGE_ALERTS - 1, 2]


def test_page_end_is_the_next_start_or_the_span():
    names = [f"{PREFIX}20261201T080000000000Z_aaaa0001_000001", f"{PREFIX}20261201T081500000000Z_aaaa0001_000002",
             f"{PREFIX}20261201T070000000000Z_bbbb0002_000000", "alerts", "alert_agency_log_x"]
    ends = {p.name.split("_")[-1] + p.name.split("_")[-2][:4]: p.end for p in pages(names)}
    assert ends == {"000001aaaa": T + timedelta(minutes=15), "000002aaaa": T + timedelta(minutes=15) + PAGE_SPAN,
                    "000000bbbb": T - timedelta(hours=1) + PAGE_SPAN}


@pytest.mark.parametrize("text, expected", [
    ("2h", NOW - timedelta(hours=2)),
    ("30m", NOW - timedelta(minutes=30)),
    ("3d", NOW - timedelta(days=3)),
    ("1w", NOW - timedelta(weeks=1)),
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=timezone.utc)),
    ("2026-12-01T08:00+07:00", datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)),
    ("2026-12-01 08:00", datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)),
])
def test_moments(text, expected):
    assert parse_moment(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2 h", "-3d", "12/01/2026", "2h ago"])
def test_unreadable_moments_say_what_to_write(text):
    with pytest.raises(typer.BadParameter, match=r"2026-12-01T08:00\+07:00.*30m, 2h, 3d, 1w"):
        parse_moment(text, now=NOW)


def test_before_takes_a_printed_cursor_or_a_time():
    cursor = parse_before("2026-12-01T08:00:00+00:00/al_abc")
    assert (cursor.created_at, cursor.alert_id) == (T, "al_abc")
    assert parse_before(cursor.text()) == cursor
    assert parse_before("2026-12-01T08:00:00+00:00").created_at == T


class _Recorder(dict):
    """The collections an append writes to, with what it inserted (insert_many is all the log calls)."""

    def __missing__(self, name):
        recorder = self

        class Collection:
            async def insert_many(self, docs, ordered=False):
                recorder.setdefault(name, []).extend(docs)

        return Collection()


def test_a_batch_for_hundreds_of_agencies_writes_a_bounded_number_of_pages():
    agencies = [f"PEMKAB-{i:04d}" for i in range(300)]
    batch = [make_alert(external_id=f"b{i}", created_at=T + timedelta(seconds=i), agency_code=code)
             for i, code in enumerate(agencies)]
    written = _Recorder()
    asyncio.run(AlertLog(writer="aaaa0002").append(written, batch))
    assert len(written) <= AGENCY_BUCKETS  # one insert per page, whatever the agencies
    assert all(isinstance(doc["alerts_z"], bytes) for docs in written.values() for doc in docs)  # compressed
    logged = {name: [row["alert_id"] for doc in docs for row in page_alerts(doc)] for name, docs in written.items()}
    assert sorted(i for ids in logged.values() for i in ids) == sorted(a.alert_id for a in batch)  # each once
    assert not [name for name in logged if name.startswith(PREFIX)]  # no second, all-agencies copy
    for alert in batch:  # in its agency's bucket, where `--agency` reads
        assert any(alert.alert_id in ids for name, ids in logged.items() if name.startswith(agency_prefix(alert.agency_code)))
