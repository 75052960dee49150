"""Compose passes `${VAR:-}` as an empty string: every setting must fall back to its default.

Before (issue 9): `PANTAU_SMTP_STARTTLS=''` was rejected as a boolean, so the API could not start.
"""
from __future__ import annotations

import pytest

from services.dispatcher.budget import BudgetSettings
from services.agency_api.settings import WebSettings
from services.dispatcher.settings import DispatcherSettings
from shared.settings import Settings


def _aliases(model) -> list[str]:
    return [f.alias for f in model.model_fields.values() if f.alias]


@pytest.mark.parametrize("model", [Settings, WebSettings, DispatcherSettings, BudgetSettings],
                         ids=["shared", "web", "dispatcher", "retry-budget"])
def test_every_variable_may_be_empty(monkeypatch, model):
    for alias in _aliases(model):
        monkeypatch.setenv(alias, "")
    loaded = model()
    defaults = model.model_construct()
    for name in model.model_fields:
        assert getattr(loaded, name) == getattr(defaults, name), name


def test_a_real_value_still_wins(monkeypatch):
    monkeypatch.setenv("PANTAU_SMTP_STARTTLS", "true")
    monkeypatch.setenv("PANTAU_SMTP_PORT", "")
    settings = DispatcherSettings()
    assert settings.smtp_starttls is True and settings.smtp_port == 25
