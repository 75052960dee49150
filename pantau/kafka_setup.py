"""The broker's side of a start: the services' principals and ACLs, then the pipeline's topics.

Run as the admin principal, by `pantau infra up` (the local stack's generated passwords) and by
`pantau kafka setup` (Compose's kafka-setup service, passwords from the environment). Idempotent.
"""
from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka import ensure_topics
from shared.kafka_admin import ensure_service_access
from shared.kafka_client import client_options
from shared.settings import Settings


async def setup_access(settings: Settings, login: tuple[str, str] | None, passwords: dict[str, str]) -> list[str]:
    """``passwords``: service -> password; returns the topics created now."""
    admin = AIOKafkaAdminClient(**client_options(settings, login))
    await admin.start()
    try:
        await ensure_service_access(admin, passwords)
    finally:
        await admin.close()
    return await ensure_topics(settings, login)
