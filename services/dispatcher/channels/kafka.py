"""Kafka for the dispatcher: notifications as records on a topic (value: the payload, key: the
target's key, header ``idempotency-key``: the log key), and the agencies' own topics
(``agency_feed``). Both share one idempotent producer with ``acks=all``, started on first use, so a
dispatcher that never sends to Kafka never connects to it."""
from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.topics import AGENCY_TOPIC_PREFIX

from .base import Notification, failed
from .retry import DELIVERED, RETRY, Attempt, DeliveryResult, RetryPolicy, RetryRunner, Tried

# The producer retries inside one send already; a second attempt covers a broker that was restarting.
ONE_ROUND = RetryPolicy(max_attempts=2, base_delay=1.0, max_delay=5.0, max_elapsed=60.0)


class LazyProducer:
    def __init__(self, client: dict):
        self.client = client  # aiokafka options: the dispatcher's own principal (shared.kafka_client)
        self._producer: AIOKafkaProducer | None = None

    @property
    def configured(self) -> bool:
        return bool(self.client.get("bootstrap_servers"))

    async def get(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(**self.client, acks="all", enable_idempotence=True)
            await producer.start()
            self._producer = producer
        return self._producer

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


class KafkaChannel:
    kind = "kafka"

    def __init__(self, producer: LazyProducer, policy: RetryPolicy = ONE_ROUND, *, runner: RetryRunner | None = None):
        self.producer = producer
        self.policy = policy
        self._runner = runner or RetryRunner()

    async def close(self) -> None:
        await self.producer.close()

    async def deliver(self, notification: Notification) -> DeliveryResult:
        if not self.producer.configured:
            return failed("no Kafka bootstrap servers configured")
        topic, key = notification.target["topic"], notification.target.get("key") or ""

        async def produce_once(attempt: Attempt) -> Tried:
            try:
                producer = await self.producer.get()
                await producer.send_and_wait(topic, value=notification.body, key=key.encode(),
                                             headers=[("idempotency-key", notification.key.encode())])
                return DELIVERED
            except KafkaError as exc:
                attempt.error = f"kafka: {type(exc).__name__}: {exc}"
                return RETRY

        return await self._runner.run(produce_once, self.policy)


class KafkaFeed:
    """The agencies' topics (``agency_feed.FeedPublisher``); a broker error propagates, so the cycle
    fails and its work entries stay for the next one."""

    def __init__(self, producer: LazyProducer):
        self.producer = producer

    async def existing_topics(self) -> set[str]:
        producer = await self.producer.get()
        metadata = await producer.client.fetch_all_metadata()
        return {t for t in metadata.topics() if t.startswith(AGENCY_TOPIC_PREFIX)}

    async def publish(self, records: list[tuple[str, bytes, bytes, str]]) -> None:
        if not records:
            return
        producer = await self.producer.get()
        sent = [await producer.send(topic, value=value, key=key, headers=[("idempotency-key", ikey.encode())])
                for topic, key, value, ikey in records]
        await asyncio.gather(*sent)
