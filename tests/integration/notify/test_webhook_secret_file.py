"""A webhook secret given as a file (``NAME_FILE``, Compose/Kubernetes secrets) signs deliveries.

Issue 19: `pantau check-config` accepted ``NAME_FILE`` but the dispatcher read only ``$NAME``, so every
delivery failed with "secret not set". Here the real dispatcher delivers to the real receiver, which
checks the HMAC with the secret in the file."""
from __future__ import annotations

import pytest

from services.dispatcher.channels.base import Notification

from .conftest import SECRET
from .helpers import channels

pytestmark = pytest.mark.integration


async def test_a_secret_in_a_file_signs_the_webhook(db, notify_setup, settings, tmp_path, monkeypatch):
    recv = notify_setup["receiver"]
    secret_file = tmp_path / "hook-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.delenv("PANTAU_FILE_ONLY_SECRET", raising=False)
    monkeypatch.setenv("PANTAU_FILE_ONLY_SECRET_FILE", str(secret_file))
    sending = channels(notify_setup, settings)
    entry = {"_id": "secret-file-1", "body": '{"notification_id": "secret-file-1"}',
             "target": {"kind": "webhook", "url": f"{recv.base}/file-secret", "secret_env": "PANTAU_FILE_ONLY_SECRET",
                        "timeout": 2}}
    result = await sending.deliver(Notification.of_log_entry(entry))
    assert result.ok, result
    [request] = recv.on("/file-secret")
    assert request["valid"] and request["key"] == "secret-file-1"
    monkeypatch.delenv("PANTAU_FILE_ONLY_SECRET_FILE")
    missing = await sending.deliver(Notification.of_log_entry({**entry, "_id": "secret-file-2"}))
    await sending.close()
    assert not missing.ok and "PANTAU_FILE_ONLY_SECRET" in missing.reason
