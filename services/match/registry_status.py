"""What `pantau registry status` shows: the active version, its re-screen, and every match worker's heartbeat."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pymongo import MongoClient

from services.match import registry_store
from services.match.domain import rescreen as lease
from services.match.worker import RESCREENS, STALE_AFTER_S, WORKERS
from shared.mongo import database_name


def registry_status(uri: str, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=5000, tz_aware=True)
    try:
        db = client[database_name(uri)]
        state = db["registry_state"].find_one({"_id": registry_store.STATE_ID})
        version = state["version"] if state else None
        active = None
        rescreen = None
        if version:
            summary = db["registry_versions"].find_one({"_id": version}, {"bad_row_examples": 0}) or {}
            active = {"version": version, "rows_loaded": summary.get("rows_loaded"),
                      "activated_at": summary.get("activated_at")}
            rescreen = lease.status(lease.read_state(version, db[RESCREENS].find(lease.state_filter(version))), now)
        workers = []
        for doc in sorted(db[WORKERS].find({}), key=lambda d: d["_id"]):
            beat = doc.get("heartbeat_at")
            age = (now - beat).total_seconds() if beat else None
            workers.append({"worker": doc["_id"], "version": doc.get("version"), "rows": doc.get("rows"),
                            "loaded_at": doc.get("loaded_at"), "loading": doc.get("loading"),
                            "heartbeat_age_s": None if age is None else round(age, 1),
                            "stale": age is None or age > STALE_AFTER_S,
                            "current": bool(version) and doc.get("version") == version})
        return {"active": active, "rescreen": rescreen, "workers": workers}
    finally:
        client.close()
