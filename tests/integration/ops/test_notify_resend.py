"""Resending a failed notification from the CLI and through the API router, on the real store.

Before (issue 9): nothing re-sent a failed notification.
"""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException

from services.agency_api.routers.notify_failures import notify_failures_router
from shared.mongo import connect
from shared.schemas import utcnow
from tests.integration.conftest import run_cli, unique

pytestmark = pytest.mark.integration


async def _seed(settings, key: str) -> None:
    client, db = connect(settings)
    try:
        now = utcnow()
        await db["notify_log"].insert_one({"_id": key, "integration": "bkn-neutrality-desk/webhook0", "receiver": "bkn-neutrality-desk",
                                           "state": "failed", "body": "{}", "target": {"kind": "webhook", "url": "http://x"},
                                           "item_doc_ids": [f"{key}-item"], "created_at": now})
        await db["notify_items"].insert_one({"_id": f"{key}-item", "state": "failed", "log_key": key})
        await db["notify_failures"].insert_one({"_id": key, "kind": "delivery", "outcome": "failed_exhausted",
                                                "reason": "gave up", "integration": "bkn-neutrality-desk/webhook0",
                                                "receiver": "bkn-neutrality-desk", "created_at": now})
    finally:
        await client.close()


async def _docs(settings, key: str) -> tuple[dict, dict, dict, list]:
    client, db = connect(settings)
    try:
        return (await db["notify_log"].find_one({"_id": key}), await db["notify_failures"].find_one({"_id": key}),
                await db["notify_items"].find_one({"_id": f"{key}-item"}),
                await db["audit"].find({"notification_id": key}).to_list(None))
    finally:
        await client.close()


def test_cli_lists_and_resends_once(stack, settings):
    key = unique("notif")
    asyncio.run(_seed(settings, key))
    listed = [json.loads(line) for line in run_cli("notify", "failures", "--json").stdout.splitlines()]
    assert any(row["id"] == key for row in listed)

    done = run_cli("notify", "resend", key)
    assert f"queued {key}" in done.stderr
    entry, failure, item, audit = asyncio.run(_docs(settings, key))
    assert entry["state"] == "pending" and entry["retry"] is None and entry["resend_count"] == 1
    assert item["state"] == "sending" and failure["resend_count"] == 1
    assert [a["event"] for a in audit] == ["notification.resent"] and audit[0]["actor"].startswith("cli:")

    again = run_cli("notify", "resend", key, check=False)
    assert again.returncode == 2 and "already queued" in again.stderr


async def test_router_resend_is_for_operators_only(stack, settings):
    key = unique("notif")
    await _seed(settings, key)
    client, db = connect(settings)

    def principal(x_role: str = Header("agency")):
        if x_role == "none":
            raise HTTPException(401, "no key")
        return SimpleNamespace(key_id="k1", role=x_role, agency_code="BKN")

    app = FastAPI()
    app.include_router(notify_failures_router(principal, lambda: db))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as http:
            assert (await http.post(f"/v1/notify/failures/{key}/resend", headers={"x-role": "agency"})).status_code == 403
            listed = await http.get("/v1/notify/failures", headers={"x-role": "analyst"})
            assert listed.status_code == 200 and any(i["id"] == key for i in listed.json()["items"])
            ok = await http.post(f"/v1/notify/failures/{key}/resend", headers={"x-role": "analyst"})
            assert ok.status_code == 202 and ok.json()["state"] == "pending"
            again = await http.post(f"/v1/notify/failures/{key}/resend", headers={"x-role": "admin"})
            assert again.status_code == 409
            missing = await http.post("/v1/notify/failures/nope/resend", headers={"x-role": "admin"})
            assert missing.status_code == 404
    finally:
        await client.close()
