"""Fuzzing the ingest door (Hypothesis, bounded): any body either yields records or a refusal with
a reason; no other exception ever escapes, so the HTTP door never answers 500 and the topic door
never retries what can never pass."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings, strategies as st

from services.ingest.domain import check_record_size, split_body
from tests.hostile import Renderer, http_bodies
from shared.schemas import ContentRecord
from shared.stage import InvalidRecord, parse_model

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
record_like = st.fixed_dictionaries(
    {"source": st.text(max_size=10), "external_id": st.text(max_size=10)},
    optional={"text": st.text(max_size=200), "kind": st.sampled_from(["post", "like", "dance"]),
              "published_at": st.one_of(st.text(max_size=30), st.integers(), st.just("2024-01-10T08:15:00+07:00")),
              "author": json_values, "media": json_values, "extra": json_values, "txt": json_values},
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def door(body: bytes) -> list[ContentRecord]:
    records = []
    for raw in split_body(body):
        check_record_size(raw)
        records.append(parse_model(ContentRecord, raw))
    return records


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_are_records_or_a_refusal(body):
    try:
        door(body)
    except InvalidRecord as refusal:
        assert refusal.reason and refusal.error_type in {"invalid_json", "validation"}


@FUZZ
@given(st.lists(record_like, min_size=1, max_size=4), st.booleans())
def test_record_like_bodies_are_records_or_name_a_field(items, as_array):
    body = json.dumps(items if as_array else items[0], ensure_ascii=False).encode()
    try:
        records = door(body)
    except InvalidRecord as refusal:
        assert refusal.error_type == "validation" and refusal.fields
        return
    assert len(records) == (len(items) if as_array else 1)
    for record in records:  # what was accepted can be written everywhere later
        record.model_dump_json().encode("utf-8")


@FUZZ
@given(http_bodies, st.booleans())
def test_hostile_bodies_are_records_or_a_refusal(body, ascii_only):
    """The live suite's bodies (tests/hostile.py: raw JSON numbers, lone-surrogate escapes, deep
    nesting, sizes at and over the limits) at the pure door: a refusal, never another exception."""
    raw = Renderer("unit").render(body, ascii_only)
    try:
        records = door(raw)
    except InvalidRecord as refusal:
        assert refusal.reason and refusal.error_type in {"invalid_json", "validation"}
        return
    for record in records:
        record.model_dump_json().encode("utf-8")
