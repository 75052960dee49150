"""Pure parts of `pantau dlq`: --since, ids, selection and the replay check."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pantau.dlq import Letter, check_replay, parse_letter_id, parse_since, select
from shared import topics
from shared.schemas import DeadLetter

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("2h", NOW - timedelta(hours=2)),
    ("30m", NOW - timedelta(minutes=30)),
    ("7d", NOW - timedelta(days=7)),
    ("2026-11-30T08:00", datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)),
    ("2026-11-30T08:00+07:00", datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)),
    (None, None),
])
def test_since(text, expected):
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2 hours", "-1h"])
def test_since_refuses_what_it_cannot_read(bad):
    with pytest.raises(ValueError, match="--since"):
        parse_since(bad, NOW)


def test_letter_ids_round_trip_and_refuse_garbage():
    assert parse_letter_id("pantau.content.submitted.v1.dlq:3:17") == ("pantau.content.submitted.v1.dlq", 3, 17)
    with pytest.raises(ValueError, match="<topic>:<partition>:<offset>"):
        parse_letter_id("17")


def _letter(stage: str, minutes_ago: int, error_type: str = "validation", raw: str = "{}",
            source: str = topics.CONTENT_SUBMITTED.name) -> DeadLetter:
    return DeadLetter(stage=stage, source_topic=source, error_type=error_type, reason="r", raw=raw,
                      failed_at=NOW - timedelta(minutes=minutes_ago))


def test_select_by_stage_since_id_and_type():
    letters = [Letter(f"t:0:{i}", _letter(stage, ago, kind), None)
               for i, (stage, ago, kind) in enumerate([("ingest", 90, "validation"), ("match", 10, "processing"),
                                                       ("ingest", 5, "invalid_json")])]
    assert [x.id for x in select(letters, stage="ingest")] == ["t:0:0", "t:0:2"]
    assert [x.id for x in select(letters, since=NOW - timedelta(minutes=30))] == ["t:0:1", "t:0:2"]
    assert [x.id for x in select(letters, ids=["t:0:1"])] == ["t:0:1"]
    assert [x.id for x in select(letters, error_type="processing")] == ["t:0:1"]


VALID = '{"source": "x", "external_id": "1", "kind": "post", "text": "halo"}'


@pytest.mark.parametrize(("raw", "source", "why"), [
    (VALID, topics.CONTENT_SUBMITTED.name, None),
    ('{"source": "x", "text": "no id"}', topics.CONTENT_SUBMITTED.name, "external_id"),
    ("not json", topics.CONTENT_SUBMITTED.name, "not valid JSON"),
    (VALID, topics.CONTENT_CLASSIFIED.name, "content_id"),  # a content record is not a classified item
    (VALID, "pantau.unknown.v1", "no replay"),
])
def test_replay_check_uses_the_stage_input_model(raw, source, why):
    result = check_replay(_letter("ingest", 1, raw=raw, source=source), raw.encode())
    if why is None:
        assert result is None
    else:
        assert result and why in result
