"""``pantau routes test|check`` through typer's runner (the same app the console script builds)."""
from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from pantau.commands.notify import check_notify_config, register

from .conftest import make_alert

app = typer.Typer()
register(app)
runner = CliRunner()


@pytest.mark.parametrize(
    "args,receivers",
    [
        (["event=suspected", "agency=PEMKOT-3374", "province=33"], "bkn-neutrality-desk,bawaslu-province,pantau-notifications"),
        (["event=forwarded", "agency=BPS", "form=engagement", "source=x"], "employing-agency,komdigi"),
        (["event=escalated", "agency=BPS"], "bkn-escalation"),
    ],
)
def test_routes_test_verify_receivers(args, receivers):
    r = runner.invoke(app, ["routes", "test", *args, "--verify-receivers", receivers])
    assert r.exit_code == 0, r.output
    bad = runner.invoke(app, ["routes", "test", *args, "--verify-receivers", "nobody"])
    assert bad.exit_code == 1


def test_routes_test_from_alert_file_masks_nip(tmp_path):
    path = tmp_path / "alert.json"
    path.write_text(make_alert().model_dump_json())
    r = runner.invoke(app, ["routes", "test", "--alert", str(path), "--event", "forwarded", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [x["route"] for x in doc[0]["routes"]] == ["to-employing-agency", "komdigi-online-campaign"]
    assert doc[0]["labels"]["nip"] == "1985***********004"
    assert "198503122010012004" not in r.stdout
    text = runner.invoke(app, ["routes", "test", "--alert", str(path)]).stdout
    assert "why: event=\"forwarded\"" in text and "auto-forward: no" in text


def test_routes_check_ok_and_broken(tmp_path):
    r = runner.invoke(app, ["routes", "check"])
    assert r.exit_code == 0
    assert check_notify_config() == []
    (tmp_path / "routes.yaml").write_text("receivers: []\nroute: {}\n")
    r = runner.invoke(app, ["routes", "check", "--config-dir", str(tmp_path)])
    assert r.exit_code == 2
