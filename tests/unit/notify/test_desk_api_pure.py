"""Pure pieces of the agency API and desk: request-value parsing, redaction, throttling, the case
filter's refusal of operator values, review-candidate shaping, Cek Netral verdicts, figures."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.agency_api.routers.check import RateLimiter, advice_for, highlight, verdict_for
from services.agency_api.routers.common import (
    ApiError, BadKeyThrottle, clamp_limit, clamp_offset, parse_since, redact_query,
)
from services.agency_api.routers.desk import bar_chart, highlight_excerpt, name_commonness
from services.agency_api.application.cases import CaseQuery, alert_matches, stats_of, week_of
from services.notify.store import CaseFilter, ReviewSource, chunks
from tests.unit.notify.conftest import make_alert


@pytest.mark.parametrize("raw, expected", [
    (None, 50), (0, 1), (-5, 1), (1, 1), (200, 200), (201, 200), (10**20, 200)])
def test_limit_is_clamped(raw, expected):
    assert clamp_limit(raw) == expected


@pytest.mark.parametrize("raw, expected", [(None, 0), (-1, 0), (5, 5), (10**20, 1_000_000)])
def test_offset_is_clamped(raw, expected):
    assert clamp_offset(raw) == expected


@pytest.mark.parametrize("raw, code", [
    ("0001-01-01T00:00:00+14:00", "invalid_datetime"),  # underflows when moved to UTC
    ("9999-12-31T23:59:59-14:00", "invalid_datetime"),  # overflows when moved to UTC
    ("1969-12-31T23:59:59+00:00", "out_of_range"),
    ("2024-01-01T00:00:00", "invalid_datetime"),  # no offset: ambiguous
    ("kemarin", "invalid_datetime"),
])
def test_bad_since_is_a_400_naming_the_field(raw, code):
    with pytest.raises(ApiError) as err:
        parse_since(raw)
    assert (err.value.status, err.value.code, err.value.field) == (400, code, "since")


def test_since_is_normalised_to_utc():
    assert parse_since("2024-01-20T07:00:00+07:00") == datetime(2024, 1, 20, tzinfo=timezone.utc)
    assert parse_since("") is None


@pytest.mark.parametrize("query, hidden", [
    ("api_key=pn_abc_def", "pn_abc_def"), ("token=s3cret&status=new", "s3cret"),
    ("x=pn_123456789012_" + "a" * 43, "pn_123456789012_"), ("X-Api-Key=k&form=engagement", "=k&"),
])
def test_audit_query_never_holds_a_secret(query, hidden):
    out = redact_query(query)
    assert hidden not in out and "redacted" in out


def test_audit_query_keeps_harmless_values():
    assert redact_query("status=new&form=engagement") == "status=new&form=engagement"


def test_bad_key_throttle_slows_one_client_only():
    t = BadKeyThrottle(max_failures=3, window_s=60)
    assert [t.failed("10.0.0.1") for _ in range(3)] == [None, None, None]
    assert t.failed("10.0.0.1") >= 1
    assert t.failed("10.0.0.2") is None


def test_check_rate_limit_per_client():
    lim = RateLimiter(per_minute=2)
    assert [lim.allow("a"), lim.allow("a")] == [None, None]
    assert lim.allow("a") >= 1 and lim.allow("b") is None


@pytest.mark.parametrize("value", [{"$ne": None}, ["x"], 1])
def test_case_filter_refuses_non_string_values(value):
    with pytest.raises(TypeError):
        CaseFilter(form=value).query()


def test_agency_scope_filter():
    q = CaseFilter(agency_code="BPS", forwarded_only=True, status="forwarded").query()
    assert q == {"agency_code": "BPS", "forwarded_at": {"$ne": None}, "status": "forwarded"}


def test_chunks_never_exceed_ferretdb_batch_limit():
    parts = list(chunks(list(range(101))))
    assert max(len(p) for p in parts) == 25 and sum(len(p) for p in parts) == 101


def test_review_ids_are_plain_strings_never_operators():
    assert ReviewSource.valid_id("rv_c1_2") and not ReviewSource.valid_id("../x") and not ReviewSource.valid_id({"$ne": 1})


@pytest.mark.parametrize("partisan, score, n, verdict", [
    (True, 0.95, 3, "melanggar"), (True, 0.5, 1, "berisiko"), (False, 0.4, 0, "berisiko"),
    (False, 0.0, 1, "berisiko"), (False, 0.0, 0, "aman")])
def test_check_verdicts(partisan, score, n, verdict):
    assert verdict_for(partisan, score, n) == verdict


def test_check_advice_is_indonesian_and_names_the_words():
    text = advice_for("melanggar", ["coblos", "#PrabowoGibran2024"], "kampanye media sosial")
    assert "“coblos”" in text and "Hapus" in text and "kampanye media sosial" in text
    assert "Tidak ditemukan" in advice_for("aman", [], None)


def test_highlight_escapes_and_marks_spans():
    out = str(highlight("<b>Ayo coblos</b>", [{"span": [7, 13], "field": "text"}]))
    assert out == "&lt;b&gt;Ayo <mark>coblos</mark>&lt;/b&gt;"
    assert str(highlight_excerpt("Ayo COBLOS 2", ["coblos"])) == 'Ayo <mark class="evidence">COBLOS</mark> 2'


def test_name_commonness_from_the_explanation():
    assert name_commonness([{"feature": "name_frequency", "detail": "nama ini dimiliki ±3 ASN"}]) == "nama ini dimiliki ±3 ASN"
    assert "belum diketahui" in name_commonness([{"feature": "handle_exact", "detail": "x"}])


def test_stats_count_per_agency_form_contestant_week():
    a = make_alert(external_id="s1")
    b = make_alert(external_id="s2", agency_code="BPS", contestant="capres-01", form="engagement")
    rows = [({"agency_code": "PEMKOT-3374", "form": "social_media_campaign", "status": "new",
              "created_at": datetime(2024, 1, 20, tzinfo=timezone.utc)}, a),
            ({"agency_code": "BPS", "form": "engagement", "status": "forwarded",
              "created_at": datetime(2024, 1, 22, tzinfo=timezone.utc)}, b)]
    s = stats_of(rows)
    assert s["total"] == 2 and s["by_agency"] == {"PEMKOT-3374": 1, "BPS": 1}
    assert s["by_contestant"] == {"capres-02": 1, "capres-01": 1}
    assert s["by_week"] == {"2024-W03": 1, "2024-W04": 1} and week_of(datetime(2024, 1, 1)) == "2024-W01"
    svg = str(bar_chart("Kasus per instansi", s["by_agency"]))
    assert svg.count('class="chart-bar"') == 2 and "<script" not in svg


def test_list_filters_on_alert_fields():
    alert = make_alert(external_id="f1")
    doc = {"labels": {"severity": "high"}}
    assert alert_matches(alert, doc, CaseQuery(region="33"))
    assert alert_matches(alert, doc, CaseQuery(region="33.74", contestant="capres-02", severity="high", q="coblos"))
    assert not alert_matches(alert, doc, CaseQuery(region="31"))
    assert not alert_matches(alert, doc, CaseQuery(q="anies"))


async def test_database_is_locked_is_retried_as_transient():
    from pymongo.errors import OperationFailure

    from shared.mongo import is_locked as is_transient, retry_locked as _retry

    calls = []

    async def op():
        calls.append(1)
        if len(calls) < 3:
            raise OperationFailure("database is locked (5) (SQLITE_BUSY)")
        return "ok"

    assert await _retry(op, base=0.001) == "ok" and len(calls) == 3
    assert not is_transient(OperationFailure("E11000 duplicate key"))

    async def broken():
        raise OperationFailure("unknown operator $foo")

    with pytest.raises(OperationFailure):
        await _retry(broken, base=0.001)


@pytest.mark.parametrize("raw, status, code, field", [
    (b'{"text": "aman"}', None, None, None),
    (b"[" * 5000 + b"]" * 5000, 400, "too_deep", None),
    (b'{"text": "' + b"[" * 100 + b'"}', None, None, None),  # brackets inside a string are text
    (b'{"text": "\\ud800"}', 400, "invalid_string", "text"),
    (b'{"media": [{"caption": "\\udfff x"}]}', 400, "invalid_string", "media[0].caption"),
    (b'{"text": "\xff"}', 400, "invalid_encoding", None),
    (b'{"text": ', 400, "invalid_json", None),
    (b'{"text": "' + b"x" * 1_000_001 + b'"}', 413, "body_too_large", None),
])
def test_json_bodies_are_checked_before_the_model(raw, status, code, field):
    from services.agency_api.routers.common import json_body_problem

    problem = json_body_problem(raw)
    if status is None:
        assert problem is None
    else:
        assert (problem[0], problem[1], problem[3]) == (status, code, field)
