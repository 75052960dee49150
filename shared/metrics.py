"""Prometheus metrics every process exports on ``/metrics``.

Per stage: events finished by outcome, retries, time per event, and consumer lag (how far the worker
is behind the end of each partition it owns: the signal for a silent stall, faust#175/#532).
Per delivery channel (webhook, e-mail, Kafka): notifications sent or failed, and delivery time.
"""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

EVENTS = Counter("pantau_events_total", "Input events finished, by stage and outcome", ["stage", "outcome"])
RETRIES = Counter("pantau_retries_total", "Failed handler attempts that were retried", ["stage", "kind"])
PROCESSING = Histogram(
    "pantau_processing_seconds", "Time per input event (its batch's time divided by its size), retries included", ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
BATCH_SIZE = Histogram(
    "pantau_batch_records", "Records per batch a stage processed", ["stage"],
    buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000),
)
BATCH_SECONDS = Histogram(
    "pantau_batch_seconds", "Time to finish one batch (validate, store, publish), retries included", ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
NOTIFICATIONS = Counter("pantau_notifications_total", "Notifications finished, by channel and outcome", ["channel", "outcome"])
DELIVERY = Histogram(
    "pantau_delivery_seconds", "Time to deliver one notification, retries included", ["channel"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
LAG = Gauge("pantau_consumer_lag", "Records on an owned input partition not yet processed", ["stage", "topic", "partition"])

# aiohttp takes the charset separately and refuses it inside content_type.
FAUST_WEB_CONTENT_TYPE = CONTENT_TYPE_LATEST.split("; charset")[0]

_positions: dict[tuple[str, object], int] = {}


def record_position(stage: str, tp, offset: int) -> None:
    """Remember the last offset ``stage`` finished on ``tp``; lag is computed when scraped."""
    _positions[(stage, tp)] = offset


def refresh_lag(consumer) -> None:
    """Lag from the consumer's last known high-water marks, for the partitions it still owns."""
    owned = consumer.assignment() if consumer is not None else set()
    for (stage, tp), offset in list(_positions.items()):
        labels = (stage, tp.topic, str(tp.partition))
        if tp not in owned:
            del _positions[(stage, tp)]
            LAG.remove(*labels)
            continue
        highwater = consumer.highwater(tp)
        if highwater is not None:
            LAG.labels(*labels).set(max(0, highwater - offset - 1))


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
