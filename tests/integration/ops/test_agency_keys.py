"""`pantau agency key create|list|revoke|rotate` against the real store; the API's lookup honours it."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from services.match.domain.reference import CENTRAL_AGENCIES, regions
from services.agency_api.auth import KeyStore, lookup
from services.notify.domain.config import load_agency_directory
from shared.mongo import connect
from tests.integration.conftest import run_cli

pytestmark = pytest.mark.integration


def _lookup(settings, key: str):
    async def run():
        client, db = connect(settings)
        try:
            return await lookup(db["api_keys"], key, audit=db["audit"])
        finally:
            await client.close()

    return asyncio.run(run())


def _audit(settings, key_id: str) -> list[str]:
    async def run():
        client, db = connect(settings)
        try:
            return [d["event"] for d in await db["audit"].find({"key_id": key_id, "event": {"$exists": True}}).sort("at", 1).to_list(None)]
        finally:
            await client.close()

    return asyncio.run(run())


def _create(*args: str) -> tuple[str, str]:
    done = run_cli("agency", "key", "create", *args)
    key = done.stdout.strip()
    return key, key.split("_")[1]


def test_create_list_revoke_rotate_expire(stack, settings):
    key, key_id = _create("PEMKOT-3374", "--label", "ops-test")
    assert _lookup(settings, key).agency_code == "PEMKOT-3374"
    listed = [json.loads(line) for line in run_cli("agency", "key", "list", "--json", "--agency", "PEMKOT-3374").stdout.splitlines()]
    assert any(r["key_id"] == key_id and r["state"] == "active" and "key_hash" not in r for r in listed)

    new_key = run_cli("agency", "key", "rotate", key_id, "--grace", "1h").stdout.strip()
    new_id = new_key.split("_")[1]
    assert _lookup(settings, new_key).key_id == new_id
    assert _lookup(settings, key) is not None  # inside the grace period
    run_cli("agency", "key", "revoke", key_id, "--reason", "test")
    assert _lookup(settings, key) is None
    assert _lookup(settings, new_key) is not None
    assert _audit(settings, key_id) == ["api_key.created", "api_key.revoked", "api_key.refused"]
    assert _audit(settings, new_id) == ["api_key.rotated"]

    short, short_id = _create("BKN", "--role", "analyst", "--expires", "2s")
    assert _lookup(settings, short) is not None
    time.sleep(2.5)
    assert _lookup(settings, short) is None
    states = {json.loads(line)["key_id"]: json.loads(line)["state"]
              for line in run_cli("agency", "key", "list", "--all", "--json").stdout.splitlines()}
    assert states[short_id] == "expired" and states[key_id] == "revoked" and states[new_id] == "active"


def test_unknown_agency_is_refused(stack):
    result = run_cli("agency", "key", "create", "NOPE-9", check=False)
    assert result.returncode == 2 and "not in agencies.yaml" in result.stderr
    assert not result.stdout.strip()


def test_rotate_without_grace_revokes_at_once(stack, settings):
    key, key_id = _create("BKN", "--role", "analyst")
    new_key = run_cli("agency", "key", "rotate", key_id).stdout.strip()
    assert _lookup(settings, key) is None and _lookup(settings, new_key) is not None
    missing = run_cli("agency", "key", "revoke", "000000000000", check=False)
    assert missing.returncode == 2 and "no key 000000000000" in missing.stderr


# Issue 19, bug 4: every central agency code `pantau registry generate` writes gets a key from the
# real command (KEMENAG was refused before the directory listed the central agencies).
CENTRAL_CODES = sorted({a.code for a in CENTRAL_AGENCIES})


@pytest.mark.parametrize("code", CENTRAL_CODES)
def test_key_for_every_central_agency_of_the_generator(stack, settings, code):
    key, key_id = _create(code, "--label", "ppk")
    assert _lookup(settings, key).agency_code == code
    assert _audit(settings, key_id) == ["api_key.created"]


def test_key_for_every_regional_government_of_the_generator(stack, settings):
    """The 552 regional codes through the same store call the command makes (a process each
    would take minutes); the command itself is covered above and for PEMKOT-3374."""
    reg = regions()
    codes = [f"PEMPROV-{p}" for p in sorted(reg.provinces)] + sorted(r.agency_code for r in reg.regencies.values())
    directory = load_agency_directory()

    async def run():
        client, db = connect(settings)
        try:
            store = KeyStore(db)
            created = [await store.create(code, "agency", "ppk", directory=directory) for code in codes]
            return [(await lookup(db["api_keys"], key)).agency_code for key, _ in created]
        finally:
            await client.close()

    assert asyncio.run(run()) == codes
