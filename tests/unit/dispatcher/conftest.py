"""A small routing configuration for the dispatcher's tables: every event to one webhook receiver
per event, grouped by agency and person, with a flood limit and an auto-forwarding route."""
from __future__ import annotations

import shutil

import pytest
import yaml

from services.notify.domain.config import load_notify_config
from shared.settings import REPO_ROOT

HOOK = {"secret_env": "PANTAU_TEST_WEBHOOK_SECRET", "timeout": "2s"}


def routes(**overrides) -> dict:
    out = {
        "receivers": [
            {"name": "desk", "webhook": [{"url": "http://receiver.test/desk", **HOOK}]},
            {"name": "agency", "webhook": [{"url": "http://receiver.test/agency/{agency}", **HOOK}]},
            {"name": "escalation", "webhook": [{"url": "http://receiver.test/escalation", **HOOK}]},
        ],
        "route": {
            "receiver": "desk", "group_by": ["agency", "nip"], "group_wait": "2m", "group_interval": "15m",
            "routes": [
                {"name": "review", "matchers": ['event="suspected"'], "receiver": "desk"},
                {"name": "fwd-auto", "matchers": ['event="forwarded"', 'agency="BPS"'], "receiver": "agency",
                 "auto_forward": True},
                {"name": "fwd", "matchers": ['event="forwarded"'], "receiver": "agency"},
                {"name": "esc", "matchers": ['event="escalated"'], "receiver": "escalation", "group_by": ["agency"]},
            ],
        },
        "inhibit_rules": [{"name": "account-inhibits-posts", "source_matchers": ['scope="account"'],
                           "target_matchers": ['scope="post"'], "equal": ["nip", "event"]}],
        "flood_limits": [{"name": "flood", "per": ["receiver", "agency"], "max_items": 2, "window": "1h"}],
        "cases": {"escalate_unacknowledged_after": "7d"},
    }
    out.update(overrides)
    return out


def config_in(folder, **overrides):
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("agencies.yaml", "central_agencies.yaml", "sanctions.yaml"):
        shutil.copy(REPO_ROOT / "config" / name, folder / name)
    (folder / "routes.yaml").write_text(yaml.safe_dump(routes(**overrides), allow_unicode=True))
    return load_notify_config(folder)


@pytest.fixture(scope="module")
def dispatch_config(tmp_path_factory):
    return config_in(tmp_path_factory.mktemp("dispatch-config"))
