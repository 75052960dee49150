"""Notifications as records on a Kafka topic (value: the payload, key: the target's key, header
``idempotency-key``: the log key). The producer is idempotent with ``acks=all`` and started on first
use, so a dispatcher that never sends to Kafka never connects to it."""
from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from .base import Notification, failed
from .retry import DELIVERED, RETRY, Attempt, DeliveryResult, RetryPolicy, RetryRunner, Tried

# The producer retries inside one send already; a second attempt covers a broker that was restarting.
ONE_ROUND = RetryPolicy(max_attempts=2, base_delay=1.0, max_delay=5.0, max_elapsed=60.0)


class KafkaChannel:
    kind = "kafka"

    def __init__(self, bootstrap_servers: str, policy: RetryPolicy = ONE_ROUND, *, runner: RetryRunner | None = None):
        self.bootstrap_servers = bootstrap_servers
        self.policy = policy
        self._runner = runner or RetryRunner()
        self._producer: AIOKafkaProducer | None = None

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def deliver(self, notification: Notification) -> DeliveryResult:
        if not self.bootstrap_servers:
            return failed("no Kafka bootstrap servers configured")
        topic, key = notification.target["topic"], notification.target.get("key") or ""

        async def produce_once(attempt: Attempt) -> Tried:
            try:
                producer = await self._started()
                await producer.send_and_wait(topic, value=notification.body, key=key.encode(),
                                             headers=[("idempotency-key", notification.key.encode())])
                return DELIVERED
            except KafkaError as exc:
                attempt.error = f"kafka: {type(exc).__name__}: {exc}"
                return RETRY

        return await self._runner.run(produce_once, self.policy)

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap_servers, acks="all", enable_idempotence=True)
            await producer.start()
            self._producer = producer
        return self._producer
