"""Fixtures for notify on the real stack: a fresh database per test on the suite's FerretDB, a
real signed-webhook receiver (aiohttp on 127.0.0.1), a real SMTP server (aiosmtpd) and a notify
config pointing at them."""
from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from services.dispatcher.channels.webhook import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from services.notify.domain.config import load_notify_config
from shared.mongo import connect
from shared.settings import REPO_ROOT
from tests.local_servers import smtp_server

pytestmark = pytest.mark.integration
SECRET = "rahasia-integrasi"
os.environ.setdefault("PANTAU_TEST_WEBHOOK_SECRET", SECRET)


class WebhookReceiver:
    """Records every request with its signature check; answers from ``script`` per path, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: dict[str, list] = {}
        self.delay = 0.0
        self.runner = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        path = request.path
        self.requests.append({
            "path": path, "body": body, "at": time.monotonic(),
            "key": request.headers.get(IDEMPOTENCY_HEADER),
            "valid": verify_signature(SECRET, request.headers.get(TIMESTAMP_HEADER), body,
                                      request.headers.get(SIGNATURE_HEADER)),
        })
        if self.delay:
            await asyncio.sleep(self.delay)
        steps = self.script.get(path) or []
        status = steps.pop(0) if steps else 200
        return web.Response(status=status)

    def on(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    async def start(self, port: int = 0):
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
async def receiver():
    r = WebhookReceiver()
    await r.start()
    yield r
    await r.runner.cleanup()


@pytest.fixture
def smtp():
    with smtp_server() as running:
        yield running


@pytest.fixture
async def db(stack, settings):
    client, _ = connect(settings)
    name = f"notify_{uuid.uuid4().hex[:10]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


def write_config(folder: Path, receiver_base: str, topic: str, **overrides) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("agencies.yaml", "central_agencies.yaml", "sanctions.yaml", "match.yaml"):
        shutil.copy(REPO_ROOT / "config" / name, folder / name)
    # PANTAU_CONFIG_DIR moves every file (one configuration surface): the elections come along too.
    shutil.copytree(REPO_ROOT / "config" / "elections", folder / "elections", dirs_exist_ok=True)
    hook = {"secret_env": "PANTAU_TEST_WEBHOOK_SECRET", "timeout": "2s"}
    routes = {
        "receivers": [
            {"name": "ops", "kafka": [{"topic": topic, "key": "{agency}"}]},
            {"name": "desk", "webhook": [{"url": f"{receiver_base}/desk", **hook}]},
            {"name": "agency", "webhook": [{"url": receiver_base + "/agency/{agency}", **hook}],
             "email": [{"to": "{agency}"}]},
            {"name": "escalation", "webhook": [{"url": f"{receiver_base}/escalation", **hook}]},
        ],
        "route": {
            "receiver": "ops", "group_by": ["agency", "nip"], "group_wait": "10s", "group_interval": "1m",
            "routes": [
                {"name": "review", "matchers": ['event="suspected"'], "receiver": "desk", "continue": True},
                {"name": "ops-all", "matchers": ['event="suspected"'], "receiver": "ops"},
                {"name": "fwd", "matchers": ['event="forwarded"'], "receiver": "agency"},
                {"name": "esc", "matchers": ['event="escalated"'], "receiver": "escalation", "group_by": ["agency"]},
            ],
        },
        "inhibit_rules": [{"name": "account-inhibits-posts", "source_matchers": ['scope="account"'],
                           "target_matchers": ['scope="post"'], "equal": ["nip", "event"]}],
        "flood_limits": [{"name": "flood", "per": ["receiver", "agency"], "max_items": 50, "window": "1h"}],
        "cases": {"escalate_unacknowledged_after": "7d"},
    }
    routes.update(overrides)
    (folder / "routes.yaml").write_text(yaml.safe_dump(routes, allow_unicode=True))
    return folder


@pytest.fixture
async def notify_setup(tmp_path, receiver, smtp, stack, settings):
    from .helpers import create_topic

    topic = f"pantau.notifications.test-{uuid.uuid4().hex[:8]}"
    await create_topic(settings, topic)
    folder = write_config(tmp_path / "config", receiver.base, topic)
    return {"config": load_notify_config(folder), "folder": folder, "topic": topic, "smtp_port": smtp[1],
            "mailbox": smtp[0], "receiver": receiver}
