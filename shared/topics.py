"""The one registry of Kafka topics: name, partitions, key and dead-letter twin.

The first and last topics are external contracts (design.md); the ones between are ours.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    name: str
    key: str  # what the Kafka key is, for readers and for partitioning
    description: str
    dead_letter: str | None = None  # where the consumer of this topic sends what it cannot process
    partitions: int | None = None  # None: settings.topic_partitions
    config: tuple[tuple[str, str], ...] = ()
    external: bool = False  # written by systems outside the pipeline (checked harder when read)


CONTENT_SUBMITTED = TopicSpec(
    "pantau.content.submitted.v1",
    key="content_id (or none, from upstream)",
    description="content record v1 from crawlers, feeds and report channels (external contract)",
    dead_letter="pantau.content.submitted.v1.dlq",
    external=True,
)
CONTENT_ACCEPTED = TopicSpec(
    "pantau.content.accepted.v1",
    key="content_id",
    description="validated, stored, de-duplicated content (ingest -> classify)",
    dead_letter="pantau.content.accepted.v1.dlq",
)
CONTENT_CLASSIFIED = TopicSpec(
    "pantau.content.classified.v1",
    key="content_id",
    description="partisan content with classification and evidence (classify -> match)",
    dead_letter="pantau.content.classified.v1.dlq",
)
CONTENT_MATCHED = TopicSpec(
    "pantau.content.matched.v1",
    key="content_id",
    description="partisan content linked to registry people (match -> notify)",
    dead_letter="pantau.content.matched.v1.dlq",
)
ALERTS = TopicSpec(
    "pantau.alerts.v1",
    key="agency_code",
    description="one alert per (NIP, content) for the responsible agency (external contract)",
)

NOTIFICATION_TOPIC_PREFIX = "pantau.notifications."  # what the dispatcher may write (shared.kafka_access)
NOTIFICATIONS = TopicSpec(
    NOTIFICATION_TOPIC_PREFIX + "v1",
    key="recipient",
    description="routed notifications (verified cases, escalations) for Kafka receivers in config/routes.yaml",
)

# One topic per agency, created with its first Kafka credential (`pantau agency kafka create CODE`); the
# name below is a template, ``agency_cases_topic`` fills it in. The only topic an agency may read.
AGENCY_TOPIC_PREFIX = "pantau.agency."
AGENCY_CASES = TopicSpec(
    AGENCY_TOPIC_PREFIX + "{agency_code}.cases.v1",
    key="case_id",
    partitions=1,  # a few cases a day per agency; one partition keeps every event of the agency in order
    config=(("retention.ms", str(30 * 24 * 3600 * 1000)),),  # an agency offline for weeks still catches up
    description="one agency's cases once forwarded to it (verified, or auto-forwarded by a route) and their later "
                "status changes (acknowledged, escalated, closed), each with the alert's evidence (external contract)",
)


def agency_cases_topic(agency_code: str) -> str:
    return AGENCY_CASES.name.format(agency_code=agency_code)


PIPELINE: tuple[TopicSpec, ...] = (CONTENT_SUBMITTED, CONTENT_ACCEPTED, CONTENT_CLASSIFIED, CONTENT_MATCHED, ALERTS)
OUTPUTS: tuple[TopicSpec, ...] = (NOTIFICATIONS,)


def all_topic_names() -> list[str]:
    names = []
    for spec in PIPELINE + OUTPUTS:
        names.append(spec.name)
        if spec.dead_letter:
            names.append(spec.dead_letter)
    return names
