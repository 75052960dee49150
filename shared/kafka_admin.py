"""The broker's access administration over the Kafka protocol: SCRAM credentials and ACLs.

aiokafka's admin client has no call for these (and only ACL request versions Kafka 4 no longer
accepts), so the three requests are declared here in aiokafka's own protocol types and sent through
its connected admin client: CreateAcls v3, DeleteAcls v3 and AlterUserScramCredentials v0 (all
"flexible" versions). Pure Python, so `pantau` manages access from any host, a container included.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Iterable

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray, CompactBytes, CompactString, Int8, Int16, Int32, Schema, TaggedFields,
)

from shared.kafka_access import SCRAM_ITERATIONS, SCRAM_MECHANISM, SERVICES, Binding, service_bindings, service_principal

_RESOURCE = {"topic": 2, "group": 3}
_PATTERN = {"literal": 3, "prefixed": 4}
_OPERATION = {"all": 2, "read": 3, "write": 4}
_ANY, _ALLOW = 1, 3
_MECHANISM = {"SCRAM-SHA-256": 1, "SCRAM-SHA-512": 2}
_TEXT = CompactString("utf-8")


class AccessError(RuntimeError):
    """The broker refused an access change; the message carries its error code and text."""


# -- the three requests --------------------------------------------------------------------------
class _CreateAclsResponse(Response):
    API_KEY, API_VERSION = 30, 3
    SCHEMA = Schema(("throttle_time_ms", Int32),
                    ("results", CompactArray(("error_code", Int16), ("error_message", _TEXT), ("tags", TaggedFields))),
                    ("tags", TaggedFields))


class _CreateAclsStruct(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY, API_VERSION, RESPONSE_TYPE = 30, 3, _CreateAclsResponse
    SCHEMA = Schema(("creations", CompactArray(
        ("resource_type", Int8), ("resource_name", _TEXT), ("pattern_type", Int8), ("principal", _TEXT),
        ("host", _TEXT), ("operation", Int8), ("permission_type", Int8), ("tags", TaggedFields))),
        ("tags", TaggedFields))


class _CreateAcls(Request[_CreateAclsStruct]):
    API_KEY = 30

    def __init__(self, creations: list[tuple]):
        self.creations = creations

    def build(self, request_struct_class: type[_CreateAclsStruct]) -> _CreateAclsStruct:
        return request_struct_class(self.creations, {})


class _DeleteAclsResponse(Response):
    API_KEY, API_VERSION = 31, 3
    SCHEMA = Schema(("throttle_time_ms", Int32), ("filter_results", CompactArray(
        ("error_code", Int16), ("error_message", _TEXT),
        ("matching_acls", CompactArray(
            ("error_code", Int16), ("error_message", _TEXT), ("resource_type", Int8), ("resource_name", _TEXT),
            ("pattern_type", Int8), ("principal", _TEXT), ("host", _TEXT), ("operation", Int8),
            ("permission_type", Int8), ("tags", TaggedFields))),
        ("tags", TaggedFields))), ("tags", TaggedFields))


class _DeleteAclsStruct(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY, API_VERSION, RESPONSE_TYPE = 31, 3, _DeleteAclsResponse
    SCHEMA = Schema(("filters", CompactArray(
        ("resource_type", Int8), ("resource_name", _TEXT), ("pattern_type", Int8), ("principal", _TEXT),
        ("host", _TEXT), ("operation", Int8), ("permission_type", Int8), ("tags", TaggedFields))),
        ("tags", TaggedFields))


class _DeleteAcls(Request[_DeleteAclsStruct]):
    API_KEY = 31

    def __init__(self, filters: list[tuple]):
        self.filters = filters

    def build(self, request_struct_class: type[_DeleteAclsStruct]) -> _DeleteAclsStruct:
        return request_struct_class(self.filters, {})


class _AlterScramResponse(Response):
    API_KEY, API_VERSION = 51, 0
    SCHEMA = Schema(("throttle_time_ms", Int32),
                    ("results", CompactArray(("user", _TEXT), ("error_code", Int16), ("error_message", _TEXT),
                                             ("tags", TaggedFields))),
                    ("tags", TaggedFields))


class _AlterScramStruct(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY, API_VERSION, RESPONSE_TYPE = 51, 0, _AlterScramResponse
    SCHEMA = Schema(
        ("deletions", CompactArray(("name", _TEXT), ("mechanism", Int8), ("tags", TaggedFields))),
        ("upsertions", CompactArray(("name", _TEXT), ("mechanism", Int8), ("iterations", Int32),
                                    ("salt", CompactBytes), ("salted_password", CompactBytes), ("tags", TaggedFields))),
        ("tags", TaggedFields))


class _AlterScram(Request[_AlterScramStruct]):
    API_KEY = 51

    def __init__(self, deletions: list[tuple], upsertions: list[tuple]):
        self.deletions, self.upsertions = deletions, upsertions

    def build(self, request_struct_class: type[_AlterScramStruct]) -> _AlterScramStruct:
        return request_struct_class(self.deletions, self.upsertions, {})


def raise_errors(what: str, results: Iterable[tuple[int, str | None]], ignore: frozenset[int] = frozenset()) -> None:
    failed = [(code, message) for code, message in results if code and code not in ignore]
    if failed:
        code, message = failed[0]
        raise AccessError(f"the broker refused to {what}: error {code}: {message or 'no message'}")


# -- operations ----------------------------------------------------------------------------------
async def create_acls(admin: AIOKafkaAdminClient, bindings: Iterable[Binding]) -> None:
    """Create ALLOW ACLs (creating one that exists already is a no-op for the broker)."""
    creations = [(_RESOURCE[b.resource], b.name, _PATTERN[b.pattern], b.principal, "*", _OPERATION[b.operation],
                  _ALLOW, {}) for b in bindings]
    if creations:
        response = await admin._send_request(_CreateAcls(creations))
        raise_errors("create ACLs", ((r[0], r[1]) for r in response.results))


async def delete_acls_of(admin: AIOKafkaAdminClient, principal: str) -> int:
    """Delete every ACL naming ``principal``; how many there were."""
    response = await admin._send_request(_DeleteAcls([(_ANY, None, _ANY, principal, None, _ANY, _ANY, {})]))
    raise_errors("delete ACLs", ((r[0], r[1]) for r in response.filter_results))
    return sum(len(r[2]) for r in response.filter_results)


def salted_password(password: str, salt: bytes, iterations: int = SCRAM_ITERATIONS,
                    mechanism: str = SCRAM_MECHANISM) -> bytes:
    """SCRAM's SaltedPassword (RFC 5802): what the broker stores instead of the password."""
    digest = "sha512" if mechanism == "SCRAM-SHA-512" else "sha256"
    return hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations)


async def upsert_scram(admin: AIOKafkaAdminClient, credentials: dict[str, str]) -> None:
    """Set the password of each user in ``credentials`` (name -> password); only a salted hash leaves."""
    upsertions = []
    for name, password in credentials.items():
        salt = secrets.token_bytes(32)
        upsertions.append((name, _MECHANISM[SCRAM_MECHANISM], SCRAM_ITERATIONS, salt, salted_password(password, salt), {}))
    if upsertions:
        response = await admin._send_request(_AlterScram([], upsertions))
        raise_errors("set SCRAM credentials", ((r[1], r[2]) for r in response.results))


async def delete_scram(admin: AIOKafkaAdminClient, name: str) -> None:
    """Remove ``name``'s credential; one already gone is fine (error 91, RESOURCE_NOT_FOUND)."""
    response = await admin._send_request(_AlterScram([(name, _MECHANISM[SCRAM_MECHANISM], {})], []))
    raise_errors("delete a SCRAM credential", ((r[1], r[2]) for r in response.results), ignore=frozenset({91}))


async def ensure_service_access(admin: AIOKafkaAdminClient, passwords: dict[str, str]) -> None:
    """Every service's SCRAM credential (``passwords``: service -> password) and ACLs; idempotent, so
    the stack runs it at every start."""
    await upsert_scram(admin, {service_principal(s): passwords[s] for s in SERVICES})
    await create_acls(admin, [b for s in SERVICES for b in service_bindings(s)])
