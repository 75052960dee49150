"""`pantau check-config` through typer: every config family is checked, errors name file and field.

Issue 9: `PANTAU_CONFIG_DIR` moved only part of the configuration (a broken copy passed), and a
missing webhook secret passed check-config but failed every delivery.
"""
from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from pantau.app import build_app
from shared.settings import REPO_ROOT

runner = CliRunner()
SECRETS = {"PANTAU_WEBHOOK_SECRET_BKN": "s1", "PANTAU_WEBHOOK_SECRET_PEMKOT_3374": "s2"}


def test_the_repository_configuration_is_valid():
    result = runner.invoke(build_app(), ["check-config"], env=SECRETS)
    assert result.exit_code == 0, result.output
    assert "notify config" in result.output and "match config" in result.output


BAD_ELECTION = ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
                "contestants: [{id: c-1, race: r, name: A, hashtags: ['#bad tag']}]\n")


@pytest.mark.parametrize(
    ("option", "filename", "content", "expected"),
    [
        ("--elections", "bad.yaml", BAD_ELECTION, ["bad.yaml", "hashtags"]),
        ("--match", "match.yaml", "threshold: 2\n", ["match", "threshold"]),
        ("--match", "match.yaml", "threshold: 0.8\nthreshhold: 0.9\n", ["match", "threshhold"]),
    ],
    ids=["election-hashtag-with-space", "match-threshold-out-of-range", "match-misspelt-key"],
)
def test_an_invalid_file_fails_with_exit_2_and_says_where(tmp_path, option, filename, content, expected):
    bad = tmp_path / filename
    bad.write_text(content)
    result = runner.invoke(build_app(), ["check-config", option, str(bad)], env=SECRETS)
    assert result.exit_code == 2, result.output
    for word in expected:
        assert word in result.output


@pytest.fixture
def config_copy(tmp_path):
    folder = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", folder)
    return folder


# What to break in a copy of config/ (relative path, new content or None to delete), and the words
# the error must contain. Each family must come from PANTAU_CONFIG_DIR, not from the checkout.
BROKEN_COPIES = [
    ("elections/2024.yaml", BAD_ELECTION, ["2024.yaml", "hashtags"]),
    ("match.yaml", "threshold: 2\n", ["match", "threshold"]),
    ("match.yaml", None, ["match", "match.yaml"]),
    ("routes.yaml", "route: {receiver: nobody}\nreceivers: []\n", ["routes.yaml"]),
    ("agencies.yaml", "agencies: [{code: BKN}]\n", ["agencies.yaml", "name"]),
    ("central_agencies.yaml", "agencies: [{code: KEMENAG}]\n", ["central_agencies.yaml", "name"]),
    ("central_agencies.yaml", "agencies: [{code: BPS, name: Badan Pusat Statistik}]\n", ["agencies.yaml", "'BPS' is listed twice"]),
    ("sanctions.yaml", "nonsense: 1\n", ["sanctions.yaml"]),
]


@pytest.mark.parametrize(("relative", "content", "expected"), BROKEN_COPIES,
                         ids=["elections", "match", "match-missing", "routes", "agencies", "central-agencies",
                              "central-agencies-duplicate", "sanctions"])
def test_a_broken_copy_in_PANTAU_CONFIG_DIR_fails(config_copy, relative, content, expected):
    target = config_copy / relative
    if content is None:
        target.unlink()
    else:
        target.write_text(content)
    result = runner.invoke(build_app(), ["check-config"], env={**SECRETS, "PANTAU_CONFIG_DIR": str(config_copy)})
    assert result.exit_code == 2, result.output
    assert str(config_copy) in result.output
    for word in expected:
        assert word in result.output


def test_the_services_loaders_read_PANTAU_CONFIG_DIR(config_copy, monkeypatch):
    """The loaders the services call (no arguments) follow the same surface as check-config."""
    from services.classify.domain.config import load_elections
    from services.match.domain.engine import load_config
    from services.notify.domain.config import load_notify_config

    (config_copy / "match.yaml").write_text("threshold: 0.9\n")
    for extra in (config_copy / "elections").glob("*.yaml"):
        if extra.name != "2024.yaml":
            extra.unlink()
    monkeypatch.setenv("PANTAU_CONFIG_DIR", str(config_copy))
    assert load_config().threshold == 0.9
    assert [p for p, _ in load_elections(include_inactive=True).files] == [str(config_copy / "elections" / "2024.yaml")]
    assert load_notify_config().sources["routes"] == str(config_copy / "routes.yaml")


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_webhook_secret_fails_and_names_the_variable(missing):
    env = {k: v for k, v in SECRETS.items() if k != missing}
    result = runner.invoke(build_app(), ["check-config"], env={**env, missing: ""})
    assert result.exit_code == 2, result.output
    assert f"webhook secret {missing} is not set" in result.output


def test_a_secret_in_a_file_counts(tmp_path):
    secret_file = tmp_path / "bkn"
    secret_file.write_text("from-a-file\n")
    env = {"PANTAU_WEBHOOK_SECRET_BKN_FILE": str(secret_file), "PANTAU_WEBHOOK_SECRET_PEMKOT_3374": "x",
           "PANTAU_WEBHOOK_SECRET_BKN": ""}
    result = runner.invoke(build_app(), ["check-config"], env=env)
    assert result.exit_code == 0, result.output


def test_no_secrets_checks_the_files_only():
    result = runner.invoke(build_app(), ["check-config", "--no-secrets"],
                           env={k: "" for k in SECRETS})
    assert result.exit_code == 0, result.output


def test_an_smtp_user_without_a_password_fails():
    result = runner.invoke(build_app(), ["check-config"],
                           env={**SECRETS, "PANTAU_SMTP_USERNAME": "pantau", "PANTAU_SMTP_PASSWORD": ""})
    assert result.exit_code == 2 and "PANTAU_SMTP_PASSWORD is empty" in result.output


def test_a_setting_compose_cannot_parse_is_named():
    result = runner.invoke(build_app(), ["check-config"], env={**SECRETS, "PANTAU_SMTP_STARTTLS": "perhaps"})
    assert result.exit_code == 2 and "PANTAU_SMTP_STARTTLS" in result.output


def test_the_classifier_model_in_use_is_named_and_its_artefact_required(monkeypatch):
    from services.classify.domain import target_model

    result = runner.invoke(build_app(), ["check-config", "--no-secrets"])
    assert result.exit_code == 0 and "classifier: target-lr-1+data." in result.output, result.output
    monkeypatch.setattr(target_model.TargetModel, "load", classmethod(lambda cls, path=None: None))
    result = runner.invoke(build_app(), ["check-config", "--no-secrets"])
    assert result.exit_code == 2 and "make train" in result.output and "target-lr.json" in result.output, result.output


def test_decision_thresholds_are_validated(tmp_path):
    src = (REPO_ROOT / "config" / "elections" / "2024.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "2024.yaml"
    bad.write_text(src.replace("decision: {p_partisan: 0.7,", "decision: {p_partisan: 1.7,"), encoding="utf-8")
    result = runner.invoke(build_app(), ["check-config", "--no-secrets", "--elections", str(bad)])
    assert result.exit_code == 2 and "p_partisan" in result.output, result.output
