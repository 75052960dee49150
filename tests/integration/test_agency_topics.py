"""Issue 22: agencies subscribe to their own cases, on the real broker with SASL/SCRAM, TLS and ACLs.

An agency connects to the external listener with exactly what `pantau agency kafka create CODE --json`
printed, reads its own topic, and nothing else: another agency's topic and the analysts'
`pantau.alerts.v1` are refused with an authorisation error, a client without credentials (or with a
revoked one) cannot connect, and a suspicion no analyst verified never reaches the agency's topic
(unless a route auto-forwards it: notify/test_agency_topic_auto_forward.py).
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import GroupAuthorizationFailedError, KafkaConnectionError, TopicAuthorizationFailedError
from aiokafka.helpers import create_ssl_context

from shared import topics
from shared.schemas import content_id_for
from tests.integration.conftest import run_cli, unique, wait_for
from tests.integration.test_pipeline import PARTISAN_BY_REGISTERED_HANDLE, alerts_for_content, api, submit

pytestmark = pytest.mark.integration
A, B = "PEMPROV-73", "PEMKOT-3374"  # Bambang (x:bambang_ht) works for A in the sample registry


def create_credential(code: str) -> dict:
    return json.loads(run_cli("agency", "kafka", "create", code, "--json").stdout)


def agency_consumer(creds: dict, topic: str | None = None, group: str | None = None, *,
                    password: str | None = None, security_protocol: str | None = None) -> AIOKafkaConsumer:
    """A consumer configured only from what `create --json` printed, as an agency would."""
    options = {"security_protocol": security_protocol or creds["security_protocol"],
               "ssl_context": create_ssl_context(cafile=creds["ca_file"])}
    if options["security_protocol"].startswith("SASL"):
        options |= {"sasl_mechanism": creds["sasl_mechanism"], "sasl_plain_username": creds["username"],
                    "sasl_plain_password": password or creds["password"]}
    return AIOKafkaConsumer(topic or creds["topic"], bootstrap_servers=creds["bootstrap"],
                            group_id=group or f"{creds['group_prefix']}{uuid.uuid4().hex[:8]}",
                            auto_offset_reset="earliest", enable_auto_commit=False, request_timeout_ms=10000, **options)


async def read_records(creds: dict, until, timeout: float = 60.0) -> list[dict]:
    """The agency's records, read until ``until(records)`` holds."""
    consumer = agency_consumer(creds)
    await consumer.start()
    records: list[dict] = []
    try:
        deadline = time.monotonic() + timeout
        while not until(records):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; read {[(r['case_id'], r['event']) for r in records]}")
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                records.extend(json.loads(m.value) for m in batch)
        return records
    finally:
        await consumer.stop()


async def refused(consumer: AIOKafkaConsumer) -> Exception:
    """The error a consumer meets on start or first fetch (it must meet one)."""
    try:
        await consumer.start()
        await consumer.getmany(timeout_ms=10000)
    except Exception as exc:  # noqa: BLE001 - the test asserts which
        return exc
    finally:
        await consumer.stop()
    raise AssertionError("the consumer was allowed to read")


def events_of(records: list[dict], case_id: str) -> list[str]:
    return [r["event"] for r in records if r["case_id"] == case_id]


def test_an_agency_reads_its_verified_case_and_nothing_else(pipeline, settings, tmp_path):
    creds, other = create_credential(A), create_credential(B)
    assert set(creds) == {"bootstrap", "security_protocol", "sasl_mechanism", "username", "password", "topic",
                          "group_prefix", "ca_file"}
    assert (creds["security_protocol"], creds["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert creds["topic"] == topics.agency_cases_topic(A) and creds["group_prefix"] == f"pantau.agency.{A}."

    verified, unverified = ({**PARTISAN_BY_REGISTERED_HANDLE, "external_id": unique(name)} for name in ("v", "u"))
    submit(tmp_path, [unverified, verified])
    alerts = {name: wait_for(lambda r=record: alerts_for_content(content_id_for("x", r["external_id"])), 30, name)[0]
              for name, record in (("verified", verified), ("unverified", unverified))}
    case_id, suspicion = alerts["verified"]["alert_id"], alerts["unverified"]["alert_id"]
    analyst = run_cli("agency", "key", "create", "BKN", "--role", "analyst").stdout.strip()
    status, body = api(settings, "POST", f"/v1/cases/{case_id}/verify", analyst, {"reason": "akun dan unit kerja cocok"})
    assert status == 200, body

    records = asyncio.run(read_records(creds, lambda rs: "forwarded" in events_of(rs, case_id)))
    [forwarded] = [r for r in records if r["case_id"] == case_id]
    assert forwarded["agency_code"] == A and forwarded["event_id"] == f"{case_id}:forwarded"
    alert = forwarded["alert"]
    assert alert["classification"]["evidence"] and alert["match"]["explanation"] and alert["legal_basis"]
    assert alert["route"], "the record carries the routes, as the alert does"
    assert [h["action"] for h in forwarded["case"]["history"]] == ["verify", "forward"]
    assert events_of(records, suspicion) == []  # routed long before the verification: never published

    agency_key = run_cli("agency", "key", "create", A).stdout.strip()
    assert api(settings, "POST", f"/v1/cases/{case_id}/acknowledge", agency_key, {"note": "diterima"})[0] == 200
    later = asyncio.run(read_records(creds, lambda rs: "acknowledged" in events_of(rs, case_id)))
    assert events_of(later, case_id) == ["forwarded", "acknowledged"]
    assert events_of(later, suspicion) == []

    async def refusals() -> list[Exception]:
        return [await refused(agency_consumer(creds, other["topic"])),
                await refused(agency_consumer(creds, topics.ALERTS.name)),
                await refused(agency_consumer(creds, group=f"{other['group_prefix']}stolen"))]

    assert [type(e) for e in asyncio.run(refusals())] == [
        TopicAuthorizationFailedError, TopicAuthorizationFailedError, GroupAuthorizationFailedError]


async def test_no_credential_or_a_revoked_one_cannot_connect(pipeline, settings):
    creds = create_credential(A)
    assert isinstance(await refused(agency_consumer(creds, security_protocol="SSL")), KafkaConnectionError)
    assert isinstance(await refused(agency_consumer(creds, password="tebakan")), KafkaConnectionError)
    unauthenticated = AIOKafkaConsumer(topics.ALERTS.name, bootstrap_servers=settings.kafka_bootstrap_servers,
                                       group_id="pantau.anonymous", request_timeout_ms=10000)
    assert isinstance(await refused(unauthenticated), KafkaConnectionError)  # the internal listener too

    await read_records(creds, lambda rs: True)  # works before revocation
    [listed] = [json.loads(line) for line in run_cli("agency", "kafka", "list", "--json").stdout.splitlines()
                if json.loads(line)["username"] == creds["username"]]
    run_cli("agency", "kafka", "revoke", listed["credential_id"], "--reason", "uji pencabutan")
    assert isinstance(await refused(agency_consumer(creds)), KafkaConnectionError)
    assert creds["password"] not in run_cli("agency", "kafka", "list", "--all", "--json").stdout
