"""Who may do what on the broker: the principals, the ACLs each needs, the names an agency gets.

Pure data, no client (``shared.kafka_admin`` applies it). Each service runs as its own principal
with only what its stage needs: read its input topic in its own consumer groups, write its outputs
and its input's dead-letter twin, and manage faust's own topics under its app id. An agency's
principal may read only its own topic and join only consumer groups under its own prefix. The
operator's admin principal (and the controller's) are the broker's super users.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from shared import topics

ADMIN = "pantau-admin"
SCRAM_MECHANISM = "SCRAM-SHA-512"
SCRAM_ITERATIONS = 8192

Resource = Literal["topic", "group"]
Pattern = Literal["literal", "prefixed"]
Operation = Literal["all", "read", "write"]

# service -> (topics it reads, topics it writes); faust's app id is "pantau-<service>" (shared.kafka)
_STAGES: dict[str, tuple[topics.TopicSpec, tuple[topics.TopicSpec, ...]]] = {
    "ingest": (topics.CONTENT_SUBMITTED, (topics.CONTENT_ACCEPTED, topics.CONTENT_SUBMITTED)),  # + the HTTP door
    "classify": (topics.CONTENT_ACCEPTED, (topics.CONTENT_CLASSIFIED,)),
    "match": (topics.CONTENT_CLASSIFIED, (topics.CONTENT_MATCHED,)),
    "notify": (topics.CONTENT_MATCHED, (topics.ALERTS,)),
}
# Processes that talk to Kafka (the agency API does not).
SERVICES: tuple[str, ...] = (*_STAGES, "dispatcher")
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-]*$")


@dataclass(frozen=True)
class Binding:
    """One ALLOW ACL: ``principal`` may ``operation`` the ``resource`` named (or prefixed) ``name``."""
    principal: str  # "User:<name>"
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


def user(name: str) -> str:
    return f"User:{name}"


def service_principal(service: str) -> str:
    return f"pantau-{service}"


def service_bindings(service: str) -> list[Binding]:
    """What ``service`` may do. The dispatcher reads nothing and writes the notification topics (a Kafka
    receiver's topic in routes.yaml is named ``pantau.notifications.*``) and every agency's topic."""
    who = user(service_principal(service))
    if service == "dispatcher":
        return [Binding(who, "topic", prefix, "prefixed", "write")
                for prefix in (topics.NOTIFICATION_TOPIC_PREFIX, topics.AGENCY_TOPIC_PREFIX)]
    source, outputs = _STAGES[service]
    app_id = f"pantau-{service}"
    writes = [*(o.name for o in outputs), source.dead_letter or f"{source.name}.dlq"]
    return [
        Binding(who, "topic", source.name, "literal", "read"),
        *(Binding(who, "topic", t, "literal", "write") for t in writes),
        Binding(who, "group", app_id, "prefixed", "read"),
        Binding(who, "topic", f"{app_id}-", "prefixed", "all"),  # faust's own topics (its leader topic)
    ]


# -- agencies ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AgencyAccess:
    """The names one agency credential works with."""
    agency_code: str
    credential_id: str

    def __post_init__(self) -> None:
        if not _CODE_RE.match(self.agency_code):
            raise ValueError(f"agency code {self.agency_code!r} must be uppercase ASCII letters, digits and '-'")

    @property
    def username(self) -> str:
        return f"agency.{self.agency_code}.{self.credential_id}"

    @property
    def topic(self) -> str:
        return topics.agency_cases_topic(self.agency_code)

    @property
    def group_prefix(self) -> str:
        """The trailing dot keeps PEMKOT-33's groups apart from PEMKOT-3374's."""
        return f"{topics.AGENCY_TOPIC_PREFIX}{self.agency_code}."

    def bindings(self) -> list[Binding]:
        who = user(self.username)
        return [Binding(who, "topic", self.topic, "literal", "read"),
                Binding(who, "group", self.group_prefix, "prefixed", "read")]


def new_credential_id() -> str:
    return secrets.token_hex(6)


def new_password() -> str:
    return secrets.token_urlsafe(32)
