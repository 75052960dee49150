"""The retention policy (config/retention.yaml) and its pure planner: which day buckets a run drops, and when."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from shared.config_paths import ConfigError
from shared.retention import CONTENT_PREFIX, RetentionPolicy, bucket_day, bucket_name, buckets, load_policy, plan
from shared.stored import StoredContent

POLICY = RetentionPolicy.model_validate({"content": {"rescreen_days": 30}, "kafka_days": {
    "pantau.content.accepted.v1": 3, "dead_letters": 14}})
DAYS = [f"{CONTENT_PREFIX}{d}" for d in ("20240101", "20240213", "20240214", "20240215", "20240315")]
OTHERS = ["content_keys", "classifications", "case_content", "content_d2024", "alerts_d20240101"]


@pytest.mark.parametrize("as_of, dropped", [
    (datetime(2024, 3, 15, 12, tzinfo=timezone.utc), ["20240213", "20240101"]),  # 14 Feb is exactly 30 days back: kept
    (datetime(2024, 3, 16, 0, tzinfo=timezone.utc), ["20240214", "20240213", "20240101"]),
    (datetime(2024, 1, 15, tzinfo=timezone.utc), []),
    (datetime(2024, 3, 16, 6, 30, tzinfo=timezone.utc).astimezone(), ["20240214", "20240213", "20240101"]),  # any zone
])
def test_a_day_goes_once_it_is_older_than_rescreen_days(as_of, dropped):
    assert plan(POLICY, DAYS + OTHERS, as_of).drop_content == tuple(CONTENT_PREFIX + d for d in dropped)


def test_cut_offs_for_the_small_collections_follow_their_periods():
    as_of = datetime(2025, 1, 1, tzinfo=timezone.utc)
    steps = plan(RetentionPolicy(), [], as_of)
    assert (as_of - steps.review_candidates_before).days == 90
    assert (as_of - steps.not_proven_before).days == 90
    assert (as_of - steps.closed_before).days == 1825
    assert (as_of - steps.audit_before).days == 730


@pytest.mark.parametrize("name, day", [
    ("content_d20240214", date(2024, 2, 14)), ("content_d2024021", None), ("classifications", None),
    ("content_keys", None), ("xcontent_d20240214", None),
])
def test_bucket_names(name, day):
    assert bucket_day(name, CONTENT_PREFIX) == day


def test_a_post_goes_to_the_bucket_of_its_received_day_in_utc():
    late_evening_in_jakarta = datetime.fromisoformat("2024-02-14T23:30:00+07:00")
    assert StoredContent.collection_for(late_evening_in_jakarta) == "content_d20240214"
    assert bucket_name(CONTENT_PREFIX, datetime.fromisoformat("2024-02-15T06:59:59+07:00")) == "content_d20240214"
    assert [name for _, name in buckets(DAYS, CONTENT_PREFIX)][0] == "content_d20240315"  # newest first


@pytest.mark.parametrize("topic, ms", [
    ("pantau.content.accepted.v1", 3 * 86_400_000),
    ("pantau.content.accepted.v1.dlq", 14 * 86_400_000),  # every dead-letter topic
    ("pantau.alerts.v1", None),  # not named: the broker's default
])
def test_kafka_retention_per_topic(topic, ms):
    assert POLICY.kafka_retention_ms(topic) == ms


@pytest.mark.parametrize("text, problem", [
    ("content: {rescreen_days: 0}", "content.rescreen_days"),
    ("content: {keep_raw: true}", "content.keep_raw"),  # a misspelt key is refused, not ignored
    ("audit_days: lama", "audit_days"),
    ("content: [", "not valid YAML"),
])
def test_a_bad_policy_names_its_file_and_field(tmp_path, text, problem):
    path = tmp_path / "retention.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_the_shipped_policy_keeps_no_raw_post_that_is_not_partisan():
    shipped = load_policy()
    assert shipped.content.keep_raw_not_partisan is False
    assert all(shipped.kafka_retention_ms(name) for name in ("pantau.content.submitted.v1", "pantau.alerts.v1"))
