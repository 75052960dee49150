"""Each agency's own topic: its cases once forwarded to it, and every later change of them.

Kafka cannot restrict a reader to some keys of a topic, so what an agency may see goes to a topic
only its principal may read (``shared.kafka_access``). A case write that an agency must hear of
leaves a ``feed`` work entry carrying the case as it was then (``NotifyStore.save_case``); this
step publishes those entries and drops them after the broker's acknowledgement, so a crash repeats
an event (same ``event_id``) and never loses one. Routes, silences and flood limits shape
notifications, not this feed: the topic mirrors what the agency API shows the agency. An agency
without a topic (no Kafka credential yet: ``pantau agency kafka create``) has nothing published.
"""
from __future__ import annotations

import logging
from typing import Protocol

from services.notify.store import NotifyStore
from shared.logging import log_event
from shared.topics import agency_cases_topic

from .payload import agency_case_record, payload_bytes

log = logging.getLogger("pantau.dispatcher")


class FeedPublisher(Protocol):
    async def existing_topics(self) -> set[str]: ...

    async def publish(self, records: list[tuple[str, bytes, bytes, str]]) -> None:
        """(topic, key, value, idempotency key) each; returns once the broker acknowledged all."""


class AgencyFeed:
    def __init__(self, store: NotifyStore, publisher: FeedPublisher, public_url: str):
        self.store = store
        self.publisher = publisher
        self.public_url = public_url

    async def run(self, work: list[dict]) -> list[str]:
        """Publish these ``feed`` work entries; returns the ids done (published, or for nobody)."""
        if not work:
            return []
        topics = await self.publisher.existing_topics()
        alerts = await self.store.get_alerts({w["case_id"] for w in work})
        records, done, waiting = [], [], 0
        for w in work:
            topic = agency_cases_topic(w["case"]["agency_code"])
            alert = alerts.get(w["case_id"])
            if topic not in topics:
                done.append(w["_id"])  # the agency has no topic: nothing to publish
            elif alert is None:
                waiting += 1  # cannot happen once the alert is stored; kept for the next cycle
            else:
                value = payload_bytes(agency_case_record(w["event"], w["case"], alert, self.public_url))
                records.append((topic, w["case_id"].encode(), value, w["_id"]))
                done.append(w["_id"])
        await self.publisher.publish(records)
        if records:
            log_event(log, "agency topics published", events=len(records), waiting=waiting)
        return done
