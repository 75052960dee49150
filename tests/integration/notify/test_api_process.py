"""The real entry points: ``pantau agency key create`` and ``python -m services.agency_api.api``."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from shared.settings import REPO_ROOT
from tests.integration.conftest import run_cli
from tests.local_servers import free_port

pytestmark = pytest.mark.integration


def test_key_create_prints_once_stores_hash_and_api_serves_openapi(stack, settings):
    result = run_cli("agency", "key", "create", "PEMKOT-3374", "--label", "BKPP Semarang")
    key = result.stdout.strip()
    assert key.startswith("pn_") and key not in result.stderr
    port = free_port()
    env = {**os.environ, "PANTAU_API_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "services.agency_api.api"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        spec = httpx.get(f"{base}/openapi.json").json()
        assert "/v1/cases/{case_id}/acknowledge" in spec["paths"]
        assert httpx.get(f"{base}/docs").status_code == 200
        assert httpx.get(f"{base}/v1/cases").status_code == 401
        ok = httpx.get(f"{base}/v1/cases", headers={"Authorization": f"Bearer {key}"})
        assert ok.status_code == 200 and "items" in ok.json()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    async def stored():
        from shared.mongo import connect

        client, db = connect(settings)
        try:
            return await db["api_keys"].find_one({"_id": key.split("_")[1]})
        finally:
            await client.close()

    import asyncio

    doc = asyncio.run(stored())
    assert doc["agency_code"] == "PEMKOT-3374" and doc["role"] == "agency"
    assert key not in str(doc) and len(doc["key_hash"]) == 64  # only the SHA-256 is stored
