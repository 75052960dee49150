"""Agencies' Kafka credentials: create, list, revoke, rotate (``pantau agency kafka ...``).

A credential is a SCRAM user of its own (``agency.<CODE>.<id>``) with the ACLs of
``shared.kafka_access.AgencyAccess``: read the agency's topic, use consumer groups under its prefix.
The broker keeps only a salted hash of the password; the ``kafka_credentials`` collection keeps
who holds which user (never the password), and every change is written to ``audit``, as for API
keys. The agency's topic is created with its first credential and outlives revocations.
"""
from __future__ import annotations

import uuid
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared import topics
from shared.kafka_access import SCRAM_MECHANISM, AgencyAccess, new_credential_id, new_password, user
from shared.kafka_admin import raise_errors, create_acls, delete_acls_of, delete_scram, upsert_scram
from shared.schemas import utcnow


def audit_record(event: str, doc: dict, actor: str = "cli", **extra: Any) -> dict:
    """An ``audit`` entry for a credential change (never the password)."""
    return {"_id": f"kafka-{uuid.uuid4().hex}", "at": utcnow(), "event": event, "actor": actor,
            "credential_id": doc["_id"], "agency_code": doc["agency_code"], "username": doc["username"], **extra}


def connection(access: AgencyAccess, password: str, bootstrap: str, ca_file: str) -> dict[str, str]:
    """Everything a client needs, as `create --json` prints it (once)."""
    return {"bootstrap": bootstrap, "security_protocol": "SASL_SSL", "sasl_mechanism": SCRAM_MECHANISM,
            "username": access.username, "password": password, "topic": access.topic,
            "group_prefix": access.group_prefix, "ca_file": ca_file}


class AgencyKafka:
    def __init__(self, db, admin: AIOKafkaAdminClient):
        self.credentials = db["kafka_credentials"]
        self.audit = db["audit"]
        self.admin = admin

    async def create(self, agency_code: str, label: str = "", actor: str = "cli",
                     event: str = "kafka_credential.created", **extra: Any) -> tuple[AgencyAccess, str, dict]:
        """A new credential for the agency (its topic too, the first time); the password once."""
        access, password = AgencyAccess(agency_code, new_credential_id()), new_password()
        await self._ensure_topic(access.topic)
        await upsert_scram(self.admin, {access.username: password})
        await create_acls(self.admin, access.bindings())
        doc = {"_id": access.credential_id, "agency_code": agency_code, "username": access.username,
               "topic": access.topic, "group_prefix": access.group_prefix, "label": label,
               "created_at": utcnow(), "revoked": False}
        await self.credentials.insert_one(doc)
        await self.audit.insert_one(audit_record(event, doc, actor, **extra))
        return access, password, doc

    async def list(self, agency_code: str | None = None) -> list[dict]:
        query = {"agency_code": agency_code} if agency_code else {}
        return await self.credentials.find(query).sort("created_at", 1).to_list(None)

    async def revoke(self, credential_id: str, reason: str = "", actor: str = "cli") -> dict:
        """The user's ACLs go first (an open connection loses access at once), then its password."""
        doc = await self.credentials.find_one({"_id": credential_id})
        if doc is None:
            raise KeyError(credential_id)
        await delete_acls_of(self.admin, user(doc["username"]))
        await delete_scram(self.admin, doc["username"])
        now = utcnow()
        await self.credentials.update_one({"_id": credential_id},
                                          {"$set": {"revoked": True, "revoked_at": now, "revoke_reason": reason}})
        await self.audit.insert_one(audit_record("kafka_credential.revoked", doc, actor, reason=reason))
        return {**doc, "revoked": True, "revoked_at": now}

    async def rotate(self, credential_id: str, actor: str = "cli") -> tuple[AgencyAccess, str, dict]:
        """A new credential for the same agency and label; the old one is revoked."""
        old = await self.credentials.find_one({"_id": credential_id})
        if old is None:
            raise KeyError(credential_id)
        if old.get("revoked"):
            raise ValueError(f"credential {credential_id} is revoked; create a new one with `pantau agency kafka create`")
        created = await self.create(old["agency_code"], old.get("label", ""), actor,
                                    event="kafka_credential.rotated", rotated_from=credential_id)
        await self.credentials.update_one({"_id": credential_id}, {"$set": {"rotated_to": created[2]["_id"]}})
        await self.revoke(credential_id, reason="rotated", actor=actor)
        return created

    async def _ensure_topic(self, name: str) -> None:
        spec = topics.AGENCY_CASES
        response = await self.admin.create_topics([NewTopic(name, num_partitions=spec.partitions or 1,
                                                            replication_factor=1, topic_configs=dict(spec.config))])
        raise_errors(f"create topic {name}", ((code, message) for _, code, message in response.topic_errors),
                      ignore=frozenset({TopicAlreadyExistsError.errno}))
