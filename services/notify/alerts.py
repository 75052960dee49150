"""From a matched item to alerts: one per (NIP, content), only for the ``match`` band.

``review``-band candidates are not alerts: they wait for an analyst. Each alert carries the
Indonesian summary, the SKB 2022 sanction and legal basis for its form, and the routes that fire
for it as a suspicion (from ``config/routes.yaml``), so a reader sees why it went where it went.
"""
from __future__ import annotations

from datetime import datetime

from services.dispatcher.payload import case_url
from services.notify.domain.config import NotifyConfig
from services.notify.domain.evaluate import plan_event, sanction_for, summary_for
from shared.schemas import Alert, AlertContent, ContentMatched, alert_id_for
from shared.stored import excerpt

SUSPECTED = "suspected"


def alerts_for(item: ContentMatched, now: datetime, config: NotifyConfig, public_url: str) -> list[Alert]:
    record = item.record
    content = AlertContent(
        content_id=item.content_id,
        source=record.source,
        external_id=record.external_id,
        url=record.url,
        kind=record.kind,
        excerpt=excerpt(record.text or (record.target.text if record.target and record.target.text else "")),
        published_at=record.published_at,
        evidence_sha256=item.evidence_sha256,
    )
    alerts = []
    for match in item.matches:
        if match.band != "match" or match.subject is None:
            continue
        alert_id = alert_id_for(match.nip, item.content_id)
        # filed under the directory's code (a ministry's former code is its successor's), as its keys are
        entry = config.directory.resolve(match.subject.agency_code)
        draft = Alert(
            alert_id=alert_id, agency_code=entry.code if entry else match.subject.agency_code, summary="",
            subject=match.subject,
            content=content, classification=item.classification, match=match,
            registry_version=item.registry_version, case_url=case_url(public_url, alert_id), created_at=now,
        )
        sanction = sanction_for(config, draft)
        plan = plan_event(config, draft, SUSPECTED)
        alerts.append(draft.model_copy(update={
            "summary": summary_for(config, draft, SUSPECTED),
            "route": [" > ".join(m.path) + ": " + ", ".join(m.reasons) for m in plan.matches],
            "severity": sanction.severity,
            "discipline": sanction.discipline,
            "legal_basis": sanction.legal_basis,
        }))
    return alerts
