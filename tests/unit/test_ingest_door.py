"""The ingest door: what a record may hold, and the exact bytes each record of a POST body had."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

import pytest

from services.ingest.domain import accepted_event, check_forwarded_size, check_record_size, split_body
from shared.schemas import ContentAccepted, ContentRecord, RecordLimits
from shared.settings import Settings
from shared.stage import InvalidRecord, parse_model
from shared.stored import ContentKey

OK = {"source": "x", "external_id": "1", "text": "halo"}


def refused(value: dict | bytes) -> InvalidRecord:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    with pytest.raises(InvalidRecord) as caught:
        check_record_size(raw)
        parse_model(ContentRecord, raw)
    return caught.value


@pytest.mark.parametrize("record, field", [
    ({**OK, "txt": "misspelt"}, "txt"),
    ({**OK, "source": "   "}, "source"),
    ({**OK, "external_id": " "}, "external_id"),
    ({**OK, "published_at": -62135596800}, "published_at"),  # Unix seconds for year 1
    ({**OK, "published_at": 1705000000}, "published_at"),
    ({**OK, "published_at": "0001-01-01T00:00:00+14:00"}, "published_at"),
    ({**OK, "published_at": "9999-12-31T23:59:59-14:00"}, "published_at"),
    ({**OK, "text": "a" * (RecordLimits.TEXT_CHARS + 1)}, "text"),
    ({**OK, "media": [{"type": "image"}] * (RecordLimits.MEDIA_ITEMS + 1)}, "media"),
    ({**OK, "media": [{"type": "image", "ocr_text": "a" * (RecordLimits.FIELD_CHARS + 1)}]}, "media.0.ocr_text"),
    ({**OK, "media": [{"type": "image", "labels": ["x"] * (RecordLimits.LABELS + 1)}]}, "media.0.labels"),
    ({**OK, "author": {"handle": "h" * (RecordLimits.HANDLE_CHARS + 1)}}, "author.handle"),
    ({**OK, "extra": {"crawler": "c" * RecordLimits.EXTRA_BYTES}}, "extra"),
    ({**OK, "text": "\ud800 lone surrogate"}, "text"),
    ({**OK, "extra": {"a": json.loads("[" * 40 + "]" * 40)}}, "extra.a"),
])
def test_records_refused_at_the_door_name_the_field(record, field):
    error = refused(record)
    assert error.fields and error.fields[0].startswith(field), error.reason


def test_a_record_over_the_byte_limit_is_refused_as_a_whole():
    raw = json.dumps({**OK, "author": {"bio": "b" * 19_000}, "target": {"text": "t" * 19_000},
                      "text": "x" * (RecordLimits.RECORD_BYTES - 30_000)}).encode()
    assert len(raw) > RecordLimits.RECORD_BYTES
    assert refused(raw).fields == ["(record)"]


@pytest.mark.parametrize("record", [
    OK,
    {**OK, "extra": {"crawler": "sigap-2", "rank": 3}},
    {**OK, "published_at": "2024-01-10T08:15:00-03:30"},
    {**OK, "text": "Coblos nomor 2! " * 3000},  # a ~50 KB partisan wall is carried, not refused
])
def test_records_within_the_limits_are_accepted(record):
    raw = json.dumps(record).encode()
    check_record_size(raw)
    assert parse_model(ContentRecord, raw).content_id.startswith("ct_")


@pytest.mark.parametrize("body, expected", [
    (b'{"a": 1}', [b'{"a": 1}']),
    (b'  {"a": 1}\n', [b'{"a": 1}']),
    (b'[{"a": 1},{"b":  2}]', [b'{"a": 1}', b'{"b":  2}']),
    (b'[ {"a": "\\u00e9"} ,\n {"b": "\xc3\xa9"} ]', [b'{"a": "\\u00e9"}', b'{"b": "\xc3\xa9"}']),
    (b"[]", []),
])
def test_split_body_keeps_each_record_as_its_bytes(body, expected):
    assert split_body(body) == expected


@pytest.mark.parametrize("body", [b"[{}", b"[{} {}]", b"[{}] x", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000])
def test_split_body_refuses_broken_json(body):
    with pytest.raises(InvalidRecord) as caught:
        split_body(body)
    assert caught.value.error_type == "invalid_json"


def test_evidence_hash_is_over_the_bytes_sent():
    body = b'[{"source":"x", "external_id":"1",  "text":"a"}]'
    [raw] = split_body(body)
    assert hashlib.sha256(raw).hexdigest() == hashlib.sha256(body[1:-1]).hexdigest()


@pytest.mark.parametrize("keys", [" , ", ",", " "])
def test_a_key_list_of_only_separators_is_refused_at_start(keys, monkeypatch):
    monkeypatch.setenv("PANTAU_INGEST_API_KEYS", keys)
    if keys.strip():
        with pytest.raises(ValueError):
            Settings()
    else:
        assert Settings().ingest_keys == frozenset()


@pytest.mark.parametrize("body", [
    b'{"source": "x", "external_id": "1", "extra": {"n": ' + b"1" * 5000 + b"}}",
    b'[{"source": "x", "external_id": "1", "text": -' + b"9" * 4301 + b"}]",
])
def test_a_number_python_cannot_read_is_a_refusal_not_a_crash(body):
    """An integer of more than 4,300 digits is valid JSON that ``json.loads`` refuses with a bare
    ValueError; it used to answer HTTP 500 (found by tests/integration/test_fuzz_live.py)."""
    with pytest.raises(InvalidRecord) as caught:
        for raw in split_body(body):
            parse_model(ContentRecord, raw)
    assert caught.value.error_type == "invalid_json" and "4300 digits" in caught.value.reason


@pytest.mark.parametrize("text, refused", [
    ("Coblos nomor 2 ya!", False),
    ("kata biasa " * 27_000, False),  # 297,000 characters: within the limits, forwarded whole
    ('"' * 190_000, True),  # escaped twice on the way (record, then its raw bytes as a string): over 1 MB
])
def test_the_forwarded_record_stays_under_the_brokers_limit(text, refused):
    raw = json.dumps({"source": "x", "external_id": "9", "text": text}).encode()
    record = parse_model(ContentRecord, raw)
    key = ContentKey.of(record.content_id, hashlib.sha256(raw).hexdigest(), datetime(2024, 2, 14, tzinfo=timezone.utc))
    check_record_size(raw)
    event = accepted_event(record, key, raw).model_dump_json().encode()
    if refused:
        with pytest.raises(InvalidRecord, match="once forwarded"):
            check_forwarded_size(event)
    else:
        check_forwarded_size(event)
        assert ContentAccepted.model_validate_json(event).raw.encode() == raw  # the evidence travels as sent
