"""API key rules without a store: expiry parsing, state, unknown agencies refused."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.agency_api.auth import UnknownAgency, check_agency, key_state, parse_expiry
from services.notify.domain.config import load_notify_config
from shared.settings import REPO_ROOT

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "expected"), [
    ("90d", NOW + timedelta(days=90)),
    ("12h", NOW + timedelta(hours=12)),
    ("2027-06-30", datetime(2027, 6, 30, tzinfo=timezone.utc)),
    ("never", None),
    (None, None),
])
def test_expiry(text, expected):
    assert parse_expiry(text, NOW) == expected


@pytest.mark.parametrize(("text", "why"), [("2020-01-01", "not in the future"), ("soon", "duration like 90d")])
def test_expiry_refused(text, why):
    with pytest.raises(ValueError, match=why):
        parse_expiry(text, NOW)


@pytest.mark.parametrize(("doc", "state"), [
    ({"revoked": False, "expires_at": None}, "active"),
    ({"revoked": False, "expires_at": NOW + timedelta(seconds=1)}, "active"),
    ({"revoked": False, "expires_at": NOW}, "expired"),
    ({"revoked": False, "expires_at": datetime(2026, 1, 1)}, "expired"),  # naive from an old store = UTC
    ({"revoked": True, "expires_at": NOW + timedelta(days=1)}, "revoked"),
])
def test_key_state(doc, state):
    assert key_state(doc, NOW) == state


@pytest.fixture(scope="module")
def directory():
    return load_notify_config(REPO_ROOT / "config").directory


@pytest.mark.parametrize("code, filed_under", [
    ("BKN", "BKN"), ("PEMKOT-3374", "PEMKOT-3374"), ("PEMKAB-3301", "PEMKAB-3301"), ("BAWASLU-33", "BAWASLU-33"),
    ("KOMINFO", "KOMDIGI"), ("KEMENPUPR", "KEMENPU"),  # a former code: the key sees its successor's cases
])
def test_known_agencies_and_patterns_pass_under_the_code_cases_are_filed_under(directory, code, filed_under):
    assert check_agency(code, directory) == filed_under


@pytest.mark.parametrize("code", ["NOPE", "PEMKOT-33", "BKN-1"])
def test_unknown_agencies_are_refused(directory, code):
    """Before (issue 9): `agency key create` accepted any code."""
    with pytest.raises(UnknownAgency, match="not in agencies.yaml"):
        check_agency(code, directory)
