"""JSON logs, one object per line, with NIPs masked wherever they appear.

NIPs are personal data: a log line may say *that* a person matched, never *who* in clear text.
"""
from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from datetime import datetime, timezone

# 18-digit NIPs, also written with spaces or dots between the groups (8-6-1-3).
_NIP_PATTERN = re.compile(r"(?<!\d)(\d{4})(\d{4}[ .]?\d{6}[ .]?\d[ .]?)(\d{3})(?!\d)")


def mask_nips(text: str) -> str:
    return _NIP_PATTERN.sub(lambda m: m.group(1) + re.sub(r"\d", "*", m.group(2)) + m.group(3), text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if extra:
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return mask_nips(json.dumps(entry, default=str, ensure_ascii=False))


QUIET_LIBRARIES = ("aiokafka", "faust", "mode", "pymongo")


def logging_config(level: str = "INFO") -> dict:
    """A ``dictConfig`` for JSON lines on stderr; faust workers receive it too, or they would
    install their own coloured text handler and bypass the NIP masking."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["default"]},
        "loggers": {name: {"level": max(logging.WARNING, logging.getLevelName(level))} for name in QUIET_LIBRARIES},
    }


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(level))


def log_event(logger: logging.Logger, msg: str, **fields: object) -> None:
    logger.info(msg, extra={"fields": fields})
