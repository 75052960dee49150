"""faust and aiokafka helpers shared by the four services: the app, topics, the worker.

Every stage's agent runs ``shared.stage.run_stage`` (batches, validated once, acknowledged only
after their writes and sends are done); ``InvalidRecord`` and ``parse_model`` live there too.
"""
from __future__ import annotations

import logging
import sys

import faust
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared import topics
from shared.kafka_access import SCRAM_MECHANISM
from shared.kafka_client import client_options, credentials
from shared.logging import logging_config
from shared.settings import Settings
from shared.stage import BatchLimits, BatchRunner, Handler, InvalidRecord, kafka_publisher, parse_model, run_stage

__all__ = ["InvalidRecord", "parse_model", "make_app", "topic", "ensure_topics", "run_worker", "batch_agent", "WEB_PORT_OFFSETS"]

log = logging.getLogger("pantau.kafka")

WEB_PORT_OFFSETS = {"ingest": 1, "classify": 2, "match": 3, "notify": 4, "dispatcher": 5}


def make_app(service: str, settings: Settings, web_port: int | None = None) -> faust.App:
    """One faust app per service: its own consumer group (app id) and principal, raw values, loopback web."""
    datadir = settings.state_dir / "faust" / service
    datadir.mkdir(parents=True, exist_ok=True)
    found = credentials(settings)
    return faust.App(
        f"pantau-{service}",
        broker=settings.kafka_url,
        broker_credentials=faust.SASLCredentials(username=found[0], password=found[1], mechanism=SCRAM_MECHANISM)
        if found else None,
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        datadir=str(datadir),
        web_enabled=True,
        web_bind=settings.bind_host,
        web_host="127.0.0.1",
        web_port=web_port or settings.web_port_base + WEB_PORT_OFFSETS[service],
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=1,
        topic_allow_declare=True,  # ours exist already (ensure_topics); faust declares its own internal ones
        processing_guarantee="at_least_once",
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        broker_session_timeout=settings.kafka_session_timeout_s,
        broker_heartbeat_interval=max(1.0, settings.kafka_session_timeout_s / 5),
        broker_rebalance_timeout=max(20.0, settings.kafka_session_timeout_s * 2),
        stream_wait_empty=True,
        logging_config=logging_config(settings.log_level),
    )


def topic(app: faust.App, spec: topics.TopicSpec, settings: Settings) -> faust.TopicT:
    return app.topic(spec.name, partitions=spec.partitions or settings.topic_partitions)


async def ensure_topics(settings: Settings, login: tuple[str, str] | None = None) -> list[str]:
    """Create every pipeline topic with its partition count and retention; existing topics are left alone."""
    from shared.retention import load_policy

    admin = AIOKafkaAdminClient(**client_options(settings, login))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        policy = load_policy()  # retention.ms per topic from config/retention.yaml (`pantau retention run` updates it)
        wanted = [
            NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=1,
                     topic_configs={"retention.ms": str(ms)} if (ms := policy.kafka_retention_ms(name)) else {})
            for name in topics.all_topic_names()
            if name not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass  # another service created them first
        return [t.name for t in wanted]
    finally:
        await admin.close()


def batch_agent(app: faust.App, stage: str, source: topics.TopicSpec, model: type, handler: Handler,
                settings: Settings):
    """The stage's one agent: batches of ``source`` through ``handler`` (see ``shared.stage``)."""
    runner = BatchRunner(stage, source.name, source.dead_letter or f"{source.name}.dlq", model, handler,
                         kafka_publisher(app), from_outside=source.external)
    limits = BatchLimits(settings.batch_max_records, settings.batch_max_wait_ms / 1000)

    async def consume(stream) -> None:
        await run_stage(stream, runner, limits)

    consume.__name__ = consume.__qualname__ = f"{stage}_batches"
    return app.agent(topic(app, source, settings), name=f"pantau.{stage}.batches")(consume)


def run_worker(app: faust.App, settings: Settings) -> None:
    """Start a faust worker for ``app``. The topics exist already: the operator's side creates them
    (`pantau infra up`, `pantau kafka setup`), a service's principal may not."""
    from shared.logging import configure_logging

    configure_logging(settings.log_level)
    sys.argv = [sys.argv[0], "worker", "--loglevel", settings.log_level.lower()]
    app.main()
