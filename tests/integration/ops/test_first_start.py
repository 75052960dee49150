"""`pantau up` on a fresh state, on its own ports and state directory (never the suite's stack).

Before (issue 9): on a fresh state `up` failed after 120 s ("service match not ready") with a faust
banner and left all five services running.
"""
from __future__ import annotations

import random
import socket
import subprocess

import pytest

from tests.unit.ops.helpers import PANTAU

pytestmark = pytest.mark.integration


def _free_ports(count: int) -> list[int]:
    """Free ports below the kernel's ephemeral range (32768 and up here): a port taken from that range
    can be handed to some outgoing connection (a Kafka client's) before the service binds it."""
    rng = random.Random()
    while True:
        start = rng.randrange(20_000, 32_000 - count)
        ports = list(range(start, start + count))
        if all(_bindable(p) for p in ports):
            return ports


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@pytest.fixture
def fresh_env(tmp_path):
    import os

    # One run of consecutive free ports: five for the stack, the web base and its five offsets, the
    # broker's TLS listener for agencies.
    kafka, controller, mongo, api, ingest, web_base, *_, external = _free_ports(12)
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka}", "PANTAU_KAFKA_CONTROLLER_PORT": str(controller),
           "PANTAU_KAFKA_EXTERNAL_PORT": str(external),
           "MONGODB_URI": f"mongodb://127.0.0.1:{mongo}/pantau_first", "PANTAU_API_PORT": str(api),
           "PANTAU_INGEST_PORT": str(ingest), "PANTAU_WEB_PORT_BASE": str(web_base),
           "PANTAU_PUBLIC_URL": f"http://127.0.0.1:{api}", "PANTAU_STATE_DIR": str(tmp_path / "state"),
           "PANTAU_INGEST_API_KEYS": "first-start-key"}
    yield env
    subprocess.run([PANTAU, "down"], env=env, capture_output=True, timeout=120)


def _pantau(env, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([PANTAU, *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_up_on_a_fresh_state_exits_0_and_names_the_next_step(fresh_env):
    result = _pantau(fresh_env, "up")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "match: up, waiting for a registry" in out
    assert "pantau registry import" in out
    status = _pantau(fresh_env, "infra", "status").stderr
    for name in ("ingest", "classify", "match", "notify", "api", "dispatcher"):
        assert any(line.split("│")[1].strip() == name and "running" in line
                   for line in status.splitlines() if line.count("│") >= 3), status


def test_a_service_that_cannot_start_is_reported_and_what_up_started_is_stopped(fresh_env, tmp_path):
    broken = tmp_path / "broken-config"
    broken.mkdir()
    (broken / "routes.yaml").write_text("route: {receiver: nobody}\nreceivers: []\n")
    env = {**fresh_env, "PANTAU_CONFIG_DIR": str(broken)}
    result = _pantau(env, "up", "notify", "--timeout", "60")
    out = result.stdout + result.stderr
    assert result.returncode == 2, out
    assert "service notify exited during start-up" in out
    assert "ƒaµS†" not in out and "┌" not in out  # not the faust banner
    assert "stopped what this command started: notify, kafka, ferretdb" in out
    status = _pantau(fresh_env, "infra", "status").stderr
    assert "running" not in status, status
