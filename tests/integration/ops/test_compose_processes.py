"""Each compose service's process, started with exactly the environment `docker compose config`
renders, becomes ready against the suite's real Kafka and FerretDB.

Only addresses are remapped (broker, store, listening ports: the compose names `kafka`/`mongodb`
do not resolve here); everything else, the empty `${VAR:-}` values included, is what Compose
passes. Before (issue 9): the API died on `PANTAU_SMTP_STARTTLS=''`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pantau.localstack import Component, meaningful_lines, stop_all, waiting_state
from shared.kafka import WEB_PORT_OFFSETS
from shared.settings import REPO_ROOT
from tests.integration.ops.test_first_start import _free_ports
from tests.unit.test_compose import rendered_services

pytestmark = pytest.mark.integration
SERVICES = ("ingest", "classify", "match", "notify", "api", "dispatcher")


def _argv(command: list[str]) -> list[str]:
    head = {"python": sys.executable, "pantau": str(Path(sys.executable).parent / "pantau")}
    return [head.get(command[0], command[0]), *command[1:]]


def _remap(env: dict, settings, ports: dict[str, int], state_dir: Path) -> dict[str, str]:
    mongo = urlparse(settings.mongodb_uri)
    out = {k: str(v) for k, v in env.items()}
    assert out["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    out["KAFKA_BOOTSTRAP_SERVERS"] = settings.kafka_bootstrap_servers
    out["MONGODB_URI"] = out["MONGODB_URI"].replace("mongodb:27017", mongo.netloc).replace("/pantau", mongo.path)
    out["PANTAU_BIND_HOST"] = "127.0.0.1"
    if "PANTAU_KAFKA_USERNAME" in out:  # the suite's broker knows each service's principal by its own password
        out["PANTAU_KAFKA_PASSWORD"] = (settings.kafka_secrets_dir / out["PANTAU_KAFKA_USERNAME"]).read_text().strip()
    for key in ("PANTAU_API_PORT", "PANTAU_INGEST_PORT"):
        if key in out:
            out[key] = str(ports[key])
    out["PANTAU_WEB_PORT_BASE"] = str(ports["PANTAU_WEB_PORT_BASE"])
    out["PANTAU_PUBLIC_URL"] = f"http://127.0.0.1:{ports['PANTAU_API_PORT']}"
    # What the image adds (deploy/Dockerfile ENV) and what a process needs to run at all.
    out |= {"PANTAU_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1", "PATH": os.environ["PATH"]}
    return out


def _url(name: str, ports: dict[str, int]) -> str:
    if name == "api":
        return f"http://127.0.0.1:{ports['PANTAU_API_PORT']}/healthz"
    if name == "ingest":
        return f"http://127.0.0.1:{ports['PANTAU_INGEST_PORT']}/readyz"
    return f"http://127.0.0.1:{ports['PANTAU_WEB_PORT_BASE'] + WEB_PORT_OFFSETS[name]}/readyz"


def _state(url: str) -> str | None:
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return "ready" if response.status == 200 else None
    except urllib.error.HTTPError as exc:
        try:
            return waiting_state(json.loads(exc.read() or b"{}"))
        except ValueError:
            return None
    except OSError:
        return None


def test_each_service_runs_with_the_compose_environment(stack, settings, tmp_path):
    services = rendered_services(tmp_path)
    api, ingest, base, *_ = _free_ports(8)  # base + 1..5 are the services' web ports, free too
    ports = {"PANTAU_API_PORT": api, "PANTAU_INGEST_PORT": ingest, "PANTAU_WEB_PORT_BASE": base}

    gate = services["config-check"]
    checked = subprocess.run(_argv(gate["command"]), env=_remap(gate["environment"], settings, ports, tmp_path),
                             capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert checked.returncode == 0, checked.stderr

    components = {name: Component(f"compose-{name}", tmp_path) for name in SERVICES}
    try:
        for name in SERVICES:
            component = components[name]
            component.pid_file.parent.mkdir(parents=True, exist_ok=True)
            component.log_file.parent.mkdir(parents=True, exist_ok=True)
            env = _remap(services[name]["environment"], settings, ports, tmp_path / name)
            with open(component.log_file, "ab") as log:  # not Component.spawn: it adds os.environ
                proc = subprocess.Popen(_argv(services[name]["command"]), env=env, cwd=REPO_ROOT, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            component.pid_file.write_text(str(proc.pid))
        pending = set(SERVICES)
        deadline = time.monotonic() + 150
        while pending and time.monotonic() < deadline:
            for name in sorted(pending):
                if components[name].pid() is None:
                    pytest.fail(f"{name} exited:\n" + "\n".join(meaningful_lines(components[name].log_file.read_text())))
                if _state(_url(name, ports)):
                    pending.discard(name)
            time.sleep(0.5)
        assert not pending, {n: "\n".join(meaningful_lines(components[n].log_file.read_text(), 8)) for n in pending}
    finally:
        stop_all(list(components.values()), timeout=20)
