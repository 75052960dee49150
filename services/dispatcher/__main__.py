"""The dispatcher process: ``python -m services.dispatcher``.

The one composition root: settings are read here and only here; every part below gets what it
needs through its constructor. Health, readiness and metrics on ``PANTAU_WEB_PORT_BASE + 5``.
"""
from __future__ import annotations

import asyncio
import os
import signal
import socket
from datetime import timedelta

from services.notify.domain.config import load_notify_config
from services.notify.store import NotifyStore
from shared.kafka import WEB_PORT_OFFSETS
from shared.kafka_client import client_options
from shared.logging import configure_logging
from shared.mongo import connect
from shared.retention import load_policy
from shared.settings import Settings, get_settings

from .budget import RetryBudget
from .channels.base import Channels
from .channels.email import EmailChannel, SmtpConfig
from .channels.kafka import KafkaChannel, KafkaFeed, LazyProducer
from .channels.retry import RetryPolicy, RetryRunner
from .channels.webhook import WebhookChannel
from .cycle import Dispatcher
from .health import Liveness, serve
from .retention_timer import run_periodically
from .settings import DispatcherSettings


def build_channels(notify: DispatcherSettings, producer: LazyProducer) -> Channels:
    runner = RetryRunner()
    return Channels([
        WebhookChannel(RetryPolicy(), runner=runner),
        EmailChannel(SmtpConfig.from_settings(notify), runner=runner),
        KafkaChannel(producer, runner=runner),
    ])


def build_dispatcher(store: NotifyStore, settings: Settings, notify: DispatcherSettings) -> Dispatcher:
    producer = LazyProducer(client_options(settings))  # the dispatcher's own principal
    return Dispatcher(
        store, load_notify_config(), build_channels(notify, producer), public_url=settings.public_url,
        owner=notify.instance or f"{socket.gethostname()}:{os.getpid()}",
        retry_budget=RetryBudget.from_env(), lease_ttl=timedelta(seconds=notify.lease_s), feed=KafkaFeed(producer),
    )


async def main() -> None:
    settings, notify = get_settings(), DispatcherSettings()
    configure_logging(settings.log_level)
    client, db = connect(settings)
    dispatcher = build_dispatcher(NotifyStore(db), settings, notify)
    liveness = Liveness(stale_after_s=max(30.0, 10 * notify.interval_s))
    health = await serve(liveness, settings.bind_host, settings.web_port_base + WEB_PORT_OFFSETS["dispatcher"])
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    retention = asyncio.create_task(run_periodically(
        dispatcher.store, load_policy(), dispatcher.owner, timedelta(hours=notify.retention_every_h), stop)
    ) if notify.retention_every_h else None
    try:
        await dispatcher.run_forever(notify.interval_s, stop, on_cycle=liveness.cycle_finished)
    finally:
        stop.set()
        if retention is not None:  # a run cut off is finished by the next one (shared.retention_run)
            retention.cancel()
            await asyncio.gather(retention, return_exceptions=True)
        await dispatcher.close()
        await health.cleanup()
        await client.close()


if __name__ == "__main__":  # pragma: no cover - process entry
    asyncio.run(main())
