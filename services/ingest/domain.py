"""What ingest stores for each accepted item: the raw bytes as evidence, hashed, plus the record."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.schemas import ContentAccepted, ContentRecord, evidence_hash


def stored_content(record: ContentRecord, raw: bytes, received_at: datetime) -> dict[str, Any]:
    """The MongoDB document for an item; ``_id`` is the deterministic content id (dedup key)."""
    return {
        "_id": record.content_id,
        "source": record.source,
        "external_id": record.external_id,
        "record": record.model_dump(mode="json"),
        "raw": raw.decode("utf-8", errors="replace"),
        "evidence_sha256": evidence_hash(raw),
        "received_at": received_at,
    }


def accepted_event(document: dict[str, Any]) -> ContentAccepted:
    return ContentAccepted(
        content_id=document["_id"],
        evidence_sha256=document["evidence_sha256"],
        received_at=document["received_at"],
        record=ContentRecord.model_validate(document["record"]),
    )


def plan_forwarding(batch_ids: list[str], stored_before: set[str], interrupted: set[str]) -> tuple[list[str], list[str]]:
    """Which of a batch's content ids go downstream, and which are duplicates to drop.

    New items go on. An item stored before goes on only if its previous attempt was interrupted
    (its in-flight mark was still there): that attempt may have stopped before forwarding.
    """
    forward = [cid for cid in batch_ids if cid not in stored_before or cid in interrupted]
    dropped = [cid for cid in batch_ids if cid in stored_before and cid not in interrupted]
    return forward, dropped
