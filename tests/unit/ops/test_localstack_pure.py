"""Pure parts of `pantau up`: which readiness bodies mean "waiting for a registry", which log lines to show."""
from __future__ import annotations

import pytest

from pantau.localstack import meaningful_lines, waiting_state

READINESS = [
    ({"ready": False, "checks": {"mongodb": True, "registry_loaded": False, "kafka_consumer": True}}, "waiting for a registry"),
    ({"ready": False, "checks": {"mongodb": False, "registry_loaded": False, "kafka_consumer": True}}, None),
    ({"ready": False, "checks": {"mongodb": True, "registry_loaded": False, "kafka_consumer": False}}, None),
    ({"ready": False, "checks": {"mongodb": True, "kafka_consumer": False}}, None),
    ({"ready": False, "checks": {"mongodb": True, "registry_loaded": True, "kafka_consumer": False}}, None),
    ({}, None),
    ([], None),
]


@pytest.mark.parametrize(("body", "expected"), READINESS)
def test_waiting_for_a_registry_is_a_state_only_when_everything_else_is_fine(body, expected):
    assert waiting_state(body) == expected


BANNER_LOG = """\
┌ƒaµS† v0.11.3─┬──────────────────────┐
│ id          │ notify               │
│ transport   │ [URL('kafka://x')]   │
└─────────────┴──────────────────────┘
[2026-12-01 12:00:00,000] [1] [INFO] [^Worker]: Starting...
Traceback (most recent call last):
  File "x.py", line 1, in <module>
services.notify.domain.config.NotifyConfigError: routes.yaml: receivers: must not be empty
"""


def test_meaningful_lines_skip_the_banner_and_keep_the_traceback():
    lines = meaningful_lines(BANNER_LOG)
    assert lines[0].startswith("Traceback")
    assert lines[-1].endswith("must not be empty")
    assert not any("ƒaµS†" in ln or "│" in ln for ln in lines)


def test_meaningful_lines_without_a_traceback_are_the_last_non_banner_lines():
    text = "\n".join(["┌──┐", *(f"line {i}" for i in range(30)), "└──┘"])
    assert meaningful_lines(text, limit=5) == [f"line {i}" for i in range(25, 30)]
