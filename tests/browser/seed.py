"""A real agency-API process and a real dispatcher process beside it, on their own database, seeded
like the pipeline seeds it (alerts stored and cases opened exactly as the notify agent does), for the
browser tests and the screenshots."""
from __future__ import annotations

import asyncio
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.agency_api.auth import key_document, new_key
from services.notify.store import NotifyStore
from shared.kafka import WEB_PORT_OFFSETS
from shared.mongo import connect
from shared.settings import REPO_ROOT
from shared.schemas import ContentRecord, Media
from tests.integration.notify.conftest import write_config
from tests.integration.notify.helpers import put_post
from tests.local_servers import free_port
from tests.unit.notify.conftest import make_alert

NIP_B = "199001012015031001"


class Receiver:
    """A real webhook receiver on loopback (a thread: the browser tests are synchronous)."""

    def __init__(self):
        self.requests: list[tuple[str, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.requests.append((self.path, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Desk:
    base: str
    db_name: str
    keys: dict[str, str]
    cases: dict[str, str]
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    extra: dict = field(default_factory=dict)


async def _seed(settings, db_name: str) -> tuple[dict[str, str], dict[str, str]]:
    client, _ = connect(settings)
    db = client[db_name]
    store = NotifyStore(db)
    await store.ensure_indexes()
    alerts = {
        "semarang": make_alert(external_id="desk-1", form="social_media_campaign"),
        "semarang_fwd": make_alert(external_id="desk-2", form="engagement"),
        "bps": make_alert(external_id="desk-3", nip=NIP_B, agency_code="BPS", agency_name="Badan Pusat Statistik",
                          province="31", regency="31.71", contestant="capres-01"),
    }
    for alert in alerts.values():
        await store.insert_alert(alert)
        await store.ensure_case(alert, alert.created_at)
    # a stored post with media, so the case page shows captions and OCR
    semarang = alerts["semarang"]
    await put_post(db, ContentRecord(source="instagram", external_id="desk-1", text="Ayo coblos nomor 2!", media=[
        Media(type="image", caption="Salam dua jari", ocr_text="PRABOWO GIBRAN 2024")]), semarang.classification)
    keys = {}
    for name, agency, role in (("analyst", "BKN", "analyst"), ("semarang", "PEMKOT-3374", "agency"),
                               ("bps", "BPS", "agency")):
        key, key_id = new_key()
        await db["api_keys"].insert_one(key_document(key, key_id, agency, role, f"{role}-{name}"))
        keys[name] = key
    await client.close()
    return keys, {k: a.alert_id for k, a in alerts.items()}


def start_desk(settings, tmp: Path) -> Desk:
    db_name = f"desk_{uuid.uuid4().hex[:10]}"
    keys, cases = asyncio.run(_seed(settings, db_name))
    receiver = Receiver()
    folder = write_config(tmp / "config", receiver.base, "unused", route={
        "receiver": "desk", "group_by": ["agency"], "group_wait": "0s", "group_interval": "1s",
        "routes": [{"name": "fwd", "matchers": ['event="forwarded"'], "receiver": "agency"}]}, inhibit_rules=[])
    port = free_port()
    base_uri = settings.mongodb_uri.rsplit("/", 1)[0]
    env = {**os.environ, "PANTAU_API_PORT": str(port), "MONGODB_URI": f"{base_uri}/{db_name}",
           "PANTAU_CONFIG_DIR": str(folder), "PANTAU_NOTIFY_INTERVAL_S": "0.3",
           "PANTAU_PUBLIC_URL": f"http://127.0.0.1:{port}", "PANTAU_TEST_WEBHOOK_SECRET": "rahasia",
           # the dispatcher's health port, free (a running stack may hold the configured one)
           "PANTAU_WEB_PORT_BASE": str(free_port() - WEB_PORT_OFFSETS["dispatcher"])}
    log_path = tmp / "api.log"
    proc = subprocess.Popen([sys.executable, "-m", "services.agency_api.api"], cwd=REPO_ROOT, env=env,
                            stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)
    # forwards what the analyst verifies, as its own process beside the API (as in the stack)
    dispatcher = subprocess.Popen([sys.executable, "-m", "services.dispatcher"], cwd=REPO_ROOT, env=env,
                                  stdout=open(tmp / "dispatcher.log", "ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"the API process exited: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)
    # the agency's second case is verified and forwarded up front: it shows in the agency view
    r = httpx.post(f"{base}/v1/cases/{cases['semarang_fwd']}/verify", json={"reason": "akun dan NIP cocok"},
                   headers={"Authorization": f"Bearer {keys['analyst']}"})
    assert r.status_code == 200, r.text
    return Desk(base, db_name, keys, cases, proc, log_path, {"receiver": receiver, "dispatcher": dispatcher})


def stop_desk(desk: Desk, settings) -> None:
    if desk.extra.get("receiver"):
        desk.extra["receiver"].stop()
    for proc in (desk.proc, desk.extra.get("dispatcher")):
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    async def drop():
        client, _ = connect(settings)
        await client.drop_database(desk.db_name)
        await client.close()

    asyncio.run(drop())
