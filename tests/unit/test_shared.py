"""Contracts in shared/: content ids, validation reasons, topics, NIP masking."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import topics
from shared.kafka import InvalidRecord, parse_model
from shared.logging import JsonFormatter, mask_nips
from shared.schemas import ContentRecord, alert_id_for, content_id_for, evidence_hash

VALID = {"source": "x", "external_id": "1", "text": "halo", "published_at": "2024-01-10T08:15:00+07:00"}


@given(st.text(min_size=1), st.text(min_size=1))
def test_content_id_is_deterministic_and_separates_source_from_id(source, external_id):
    assert content_id_for(source, external_id) == content_id_for(source, external_id)
    assert content_id_for(source, external_id) != content_id_for(source + "x", external_id)


def test_content_id_ignores_source_case_and_other_fields():
    a = ContentRecord.model_validate(VALID)
    b = ContentRecord.model_validate({**VALID, "source": " X ", "text": "lain"})
    assert a.content_id == b.content_id


def test_alert_id_is_per_person_and_content():
    assert alert_id_for("1" * 18, "ct_a") != alert_id_for("2" * 18, "ct_a")
    assert alert_id_for("1" * 18, "ct_a") == alert_id_for("1" * 18, "ct_a")


@pytest.mark.parametrize(
    ("raw", "error_type", "fields"),
    [
        (b"{not json", "invalid_json", []),
        (b"[1, 2]", "validation", ["(record)"]),
        (json.dumps({k: v for k, v in VALID.items() if k != "external_id"}).encode(), "validation", ["external_id"]),
        (json.dumps({**VALID, "kind": "retweet"}).encode(), "validation", ["kind"]),
        (json.dumps({**VALID, "published_at": "2024-01-10T08:15:00"}).encode(), "validation", ["published_at"]),
        (json.dumps({**VALID, "author": {"handle": 5}}).encode(), "validation", ["author.handle"]),
        (json.dumps({**VALID, "media": [{"type": "gif"}]}).encode(), "validation", ["media.0.type"]),
        (b"\xff\xfe", "invalid_json", []),
    ],
)
def test_invalid_records_name_the_field_and_why(raw, error_type, fields):
    with pytest.raises(InvalidRecord) as caught:
        parse_model(ContentRecord, raw)
    assert caught.value.error_type == error_type
    assert caught.value.fields == fields
    for field in fields:
        assert field in caught.value.reason


def test_every_consumed_topic_has_a_dead_letter_twin_and_contract_names_are_stable():
    assert topics.CONTENT_SUBMITTED.name == "pantau.content.submitted.v1"
    assert topics.ALERTS.name == "pantau.alerts.v1"
    for spec in topics.PIPELINE[:-1]:
        assert spec.dead_letter == spec.name + ".dlq"
    names = topics.all_topic_names()
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("nip 198503122010012004 ok", "nip 1985***********004 ok"),
        ("NIP. 19790521 200501 2 003", "NIP. 1979**** ****** * 003"),
        ("NIP 19790521.200501.2.003", "NIP 1979****.******.*.003"),
        ("telepon 081234567890", "telepon 081234567890"),
        ("1234567890123456789 has 19 digits", "1234567890123456789 has 19 digits"),
    ],
)
def test_nips_are_masked_in_logs(text, masked):
    assert mask_nips(text) == masked


def test_json_log_lines_mask_nips_in_extra_fields_too():
    import logging

    record = logging.LogRecord("t", logging.INFO, __file__, 1, "matched %s", ("198503122010012004",), None)
    record.fields = {"nip": "198503122010012004"}
    line = JsonFormatter().format(record)
    assert "198503122010012004" not in line
    assert json.loads(line)["nip"] == "1985***********004"


def test_faust_workers_log_json_with_masked_nips_not_their_own_text_format(tmp_path, capsys):
    """mode's worker replaces the root handlers with the app's logging_config at start-up."""
    import logging

    from mode.utils.logging import setup_logging

    from shared.kafka import make_app
    from shared.settings import Settings

    app = make_app("classify", Settings(PANTAU_STATE_DIR=tmp_path))
    previous = logging.root.handlers[:]
    try:
        setup_logging(loglevel="INFO", logging_config=dict(app.conf.logging_config))
        logging.getLogger("pantau.test").info("matched 198503122010012004")
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        logging.root.handlers[:] = previous
    assert json.loads(line)["msg"] == "matched 1985***********004"


def test_evidence_hash_is_sha256_of_the_bytes_as_received():
    assert evidence_hash(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
