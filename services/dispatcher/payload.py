"""The versioned notification payload (webhook body, Kafka value, e-mail attachment).

Version "1":
{
  "version": "1", "type": "pantau.notification",
  "notification_id": "nf_...",            # notification-log key = idempotency key
  "group_key": "...", "status": "firing" | "reminder", "event": "suspected|forwarded|escalated",
  "receiver": "...", "integration": "...", "recipient": {"code", "name"[, "note"]},
                                           # note (Indonesian): only when a fallback recipient receives
                                           # a message meant for an agency without agreed contacts
  "group_labels": {...}, "route": {route that fired: name, path, matched matchers, timers},
  "items": [{
     "case_id", "alert_id", "case_url", "case_status", "event",
     "summary",                            # Bahasa Indonesia; a suspicion, never a verdict
     "subject": {"nip", "name", "position", "unit", "agency_code", "agency_name", "province_code", "regency_code"},
     "content": {"content_id", "source", "external_id", "url", "kind", "excerpt", "published_at", "evidence_sha256"},
     "classification": {"partisan", "score", "form", "stance", "evidence", "model_version"},
     "match": {"band", "score", "explanation", "registry_version"},
     "sanction": {"form_label", "discipline", "discipline_label", "ethics", "severity", "legal_basis", "legal_basis_text", ...},
     "route": {...}, "labels": {...}}],
  "truncated": false, "remaining_items": 0, "total_items": N,
  "notice": "...",                         # Indonesian: suspicion pending verification; personal data
  "sent_at": "..."
}
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Sequence

from services.notify.domain.severity import SanctionInfo
from shared.schemas import Alert

PAYLOAD_VERSION = "1"
NOTICE_ID = (
    "Pemberitahuan ini memuat DUGAAN pelanggaran netralitas ASN dari pemantauan otomatis dan "
    "bukan putusan. Keputusan ada pada pejabat yang berwenang setelah pemeriksaan. Pesan ini "
    "memuat data pribadi: gunakan hanya untuk penanganan kasus sesuai UU 27/2022 tentang "
    "Pelindungan Data Pribadi."
)


@dataclass(frozen=True)
class NotificationItem:
    item_id: str  # "<case_id>:<event>"
    event: str
    alert: Alert
    case_status: str
    labels: Mapping[str, str]
    sanction: SanctionInfo
    summary: str
    route: Mapping[str, Any] = field(default_factory=dict)  # RouteMatch.explain()


def case_url(public_url: str, case_id: str) -> str:
    return f"{public_url.rstrip('/')}/v1/cases/{case_id}"


def item_payload(item: NotificationItem, public_url: str) -> dict[str, Any]:
    a = item.alert
    s = a.subject
    return {
        "case_id": a.alert_id,
        "alert_id": a.alert_id,
        "case_url": case_url(public_url, a.alert_id),
        "case_status": item.case_status,
        "event": item.event,
        "summary": item.summary,
        "subject": {
            "nip": s.nip,
            "name": s.name,
            "position": s.position,
            "unit": s.unit,
            "agency_code": s.agency_code,
            "agency_name": s.agency_name,
            "province_code": s.province_code,
            "regency_code": s.regency_code,
        },
        "content": a.content.model_dump(mode="json"),
        "classification": a.classification.model_dump(mode="json"),
        "match": {
            "band": a.match.band,
            "score": a.match.score,
            "explanation": [e.model_dump(mode="json") for e in a.match.explanation],
            "registry_version": a.registry_version,
        },
        "sanction": item.sanction.model_dump(mode="json"),
        "route": dict(item.route),
        "labels": dict(item.labels),
        "alert_created_at": a.created_at.isoformat(),
    }


def build_payload(
    *,
    notification_id: str,
    group_key: str,
    status: str,
    event: str,
    receiver: str,
    integration: str,
    recipient_code: str,
    recipient_name: str,
    group_labels: Mapping[str, str],
    route: Mapping[str, Any],
    items: Sequence[NotificationItem],
    public_url: str,
    sent_at: datetime,
    remaining_items: int = 0,
    max_items: int | None = None,
    recipient_note: str = "",
) -> dict[str, Any]:
    """``max_items`` truncates defensively; the dispatcher normally sizes batches so that it never
    does, and ``remaining_items`` says how many follow in the next message of the group."""
    shown = list(items)
    truncated_here = 0
    if max_items is not None and len(shown) > max_items:
        truncated_here = len(shown) - max_items
        shown = shown[:max_items]
    return {
        "version": PAYLOAD_VERSION,
        "type": "pantau.notification",
        "notification_id": notification_id,
        "group_key": group_key,
        "status": status,
        "event": event,
        "receiver": receiver,
        "integration": integration,
        "recipient": {"code": recipient_code, "name": recipient_name, **({"note": recipient_note} if recipient_note else {})},
        "group_labels": dict(group_labels),
        "route": dict(route),
        "items": [item_payload(i, public_url) for i in shown],
        "truncated": bool(truncated_here or remaining_items),
        "remaining_items": remaining_items + truncated_here,
        "total_items": len(shown),
        "notice": NOTICE_ID,
        "sent_at": sent_at.isoformat(),
    }


AGENCY_CASE_VERSION = "1"


def agency_case_record(event: str, case: Mapping[str, Any], alert: Alert, public_url: str) -> dict[str, Any]:
    """The value on an agency's own topic (key: the case id): one event of one of its cases, with the
    case as it was then and the alert as the analysts' topic carries it (evidence, match
    explanation, legal basis, routes). ``event_id`` is unique per case and event: a consumer that
    stores it sees each event once even when a restart publishes it again."""
    history = case.get("history") or []
    return {
        "version": AGENCY_CASE_VERSION,
        "type": "pantau.agency_case",
        "event_id": f"{case['case_id']}:{event}",
        "event": event,
        "case_id": case["case_id"],
        "agency_code": case["agency_code"],
        "status": case["status"],
        "occurred_at": history[-1]["at"] if history else case.get("updated_at"),
        "case_url": case_url(public_url, case["case_id"]),
        "summary": alert.summary,
        "notice": NOTICE_ID,
        "case": {k: case.get(k) for k in ("status", "created_at", "verified_at", "forwarded_at", "acknowledged_at",
                                          "closed_at", "escalated", "escalated_at", "sanction", "history")},
        "alert": alert.model_dump(mode="json"),
    }


def payload_bytes(payload: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes (the exact body that is signed and logged)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
