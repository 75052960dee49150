"""Fast, canonical JSON for Kafka values and documents."""
from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel


def dumps(value: BaseModel | dict[str, Any]) -> bytes:
    if isinstance(value, BaseModel):
        return value.model_dump_json(exclude_none=False).encode()
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def to_document(model: BaseModel) -> dict[str, Any]:
    """A model as a MongoDB document (JSON-compatible types; datetimes stay datetimes)."""
    return model.model_dump(mode="python")
