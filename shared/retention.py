"""The retention policy (``config/retention.yaml``) and the day buckets that make purging free.

Why buckets: on FerretDB v1 every filtered delete reads the whole collection, so raw posts go into
one collection per received day (``content_d20240214``) and a day past its period is dropped whole,
which costs nothing however large it is. What must outlive the day (a post behind a case or an open
review) is copied out first, a few documents. ``plan`` is pure: it decides from bucket names, the
policy and a moment; the adapter in ``shared.retention_store`` reads and drops.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.config_paths import ConfigError, config_paths

DAY_FORMAT = "%Y%m%d"


class _Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContentPolicy(_Policy):
    keep_raw_not_partisan: bool = False
    rescreen_days: int = Field(30, ge=1, le=3650)


class CasePolicy(_Policy):
    closed_days: int = Field(1825, ge=1, le=36500)
    not_proven_days: int = Field(90, ge=1, le=36500)


class RetentionPolicy(_Policy):
    content: ContentPolicy = ContentPolicy()
    cases: CasePolicy = CasePolicy()
    review_candidates_days: int = Field(90, ge=1, le=36500)
    notification_log_days: int = Field(365, ge=1, le=36500)
    audit_days: int = Field(730, ge=1, le=36500)
    kafka_days: dict[str, int] = Field(default_factory=dict)

    def kafka_retention_ms(self, topic: str) -> int | None:
        """retention.ms for a topic: its own entry, else ``dead_letters`` for a ``.dlq`` topic, else None
        (the broker's default)."""
        days = self.kafka_days.get(topic)
        if days is None and topic.endswith(".dlq"):
            days = self.kafka_days.get("dead_letters")
        return None if days is None else days * 86_400_000

    def rows(self) -> list[tuple[str, str]]:
        """(data, how long) for people: `pantau check-config` and `pantau retention status` print these."""
        content = self.content
        return [
            ("raw post, not partisan", "kept, all posts" if content.keep_raw_not_partisan else "never stored"),
            ("raw post, partisan", f"{content.rescreen_days} days (re-screening), then only its summary"),
            ("post behind a case or open review", "copied to the case's evidence, kept with the case"),
            ("case closed as proven", f"{self.cases.closed_days} days after it closes, then its personal data erased"),
            ("case closed as not proven", f"personal data erased {self.cases.not_proven_days} days after it closes"),
            ("review candidates", f"{self.review_candidates_days} days"),
            ("notification log", f"{self.notification_log_days} days"),
            ("audit log", f"{self.audit_days} days"),
            *((f"Kafka {topic}", f"{days} days") for topic, days in sorted(self.kafka_days.items())),
        ]


def load_policy(path: Path | None = None) -> RetentionPolicy:
    """The policy from ``config/retention.yaml`` (or ``PANTAU_RETENTION_CONFIG``); ConfigError names the
    file and the field. A missing file means the defaults above."""
    path = path or config_paths().retention
    if not path.exists():
        return RetentionPolicy()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return RetentionPolicy.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: not valid YAML: {exc}"]) from exc
    except ValidationError as exc:
        raise ConfigError([f"{path}: {'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}"
                           for e in exc.errors()]) from exc


# --- day buckets --------------------------------------------------------------------------------
CONTENT_PREFIX = "content_d"  # raw posts (the evidence), one collection per received day (UTC)
_BUCKET = re.compile(r"^(?P<prefix>[a-z_]+_d)(?P<day>\d{8})$")


def day_of(moment: datetime) -> date:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.date()


def bucket_name(prefix: str, moment: datetime) -> str:
    return f"{prefix}{day_of(moment).strftime(DAY_FORMAT)}"


def bucket_day(name: str, prefix: str) -> date | None:
    """The day a bucket holds, or None if ``name`` is not one of ``prefix``'s buckets."""
    match = _BUCKET.match(name)
    if not match or match["prefix"] != prefix:
        return None
    return datetime.strptime(match["day"], DAY_FORMAT).date()


def buckets(names, prefix: str) -> list[tuple[date, str]]:
    """(day, name) of ``prefix``'s buckets among collection names, newest first."""
    found = [(day, name) for name in names if (day := bucket_day(name, prefix)) is not None]
    return sorted(found, reverse=True)


@dataclass(frozen=True)
class Plan:
    """What a retention run does at ``as_of``: content days to drop (after copying what a case needs),
    and the cut-off moments for the small collections."""
    as_of: datetime
    drop_content: tuple[str, ...]
    review_candidates_before: datetime
    notification_log_before: datetime
    audit_before: datetime
    closed_before: datetime
    not_proven_before: datetime


def plan(policy: RetentionPolicy, collection_names, as_of: datetime) -> Plan:
    """A content day goes once its last moment is ``rescreen_days`` old: re-screening reads no further back."""
    today = day_of(as_of)
    keep_from = today - timedelta(days=policy.content.rescreen_days)
    drop = tuple(name for day, name in buckets(collection_names, CONTENT_PREFIX) if day < keep_from)

    def before(days: int) -> datetime:
        return as_of - timedelta(days=days)

    return Plan(as_of=as_of, drop_content=drop,
                review_candidates_before=before(policy.review_candidates_days),
                notification_log_before=before(policy.notification_log_days),
                audit_before=before(policy.audit_days),
                closed_before=before(policy.cases.closed_days),
                not_proven_before=before(policy.cases.not_proven_days))
