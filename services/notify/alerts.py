"""From a matched item to alerts: one per (NIP, content), only for the ``match`` band.

``review``-band candidates are not alerts: they wait for an analyst (the review queue).
"""
from __future__ import annotations

from datetime import datetime

from shared.schemas import Alert, AlertContent, ContentMatched, Match, alert_id_for

EXCERPT_CHARS = 280

FORM_LABELS_ID = {
    "social_media_campaign": "kampanye di media sosial",
    "engagement": "menyukai/membagikan/mengomentari/mengikuti akun kampanye",
    "partisan_photo": "foto dengan simbol keberpihakan",
    "campaign_attendance": "menghadiri kampanye",
    "party_membership": "keanggotaan partai politik",
    "campaign_team": "menjadi tim kampanye/pemenangan",
    "mobilization": "mengajak atau memobilisasi pihak lain",
    "support_letter": "memberikan surat dukungan",
    "official_decision": "keputusan/tindakan yang menguntungkan peserta pemilu",
    "campaign_props": "memasang alat peraga kampanye",
    "none": "keberpihakan",
}


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_id(item: ContentMatched, match: Match) -> str:
    """Indonesian summary; says "dugaan" (suspected): a verdict is for humans, never for us."""
    subject = match.subject
    supported = ", ".join(
        f"{'mendukung' if s.polarity == 'support' else 'menentang'} {s.contestant}"
        for s in item.classification.stance
    ) or "keberpihakan politik"
    who = f"{subject.name} ({subject.position}, {subject.unit}, {subject.agency_name})" if subject else match.nip
    form = FORM_LABELS_ID.get(item.classification.form, item.classification.form)
    return (
        f"Dugaan pelanggaran netralitas ASN: {form}, {supported}. Terduga: {who}. "
        f"Sumber: {item.record.source} {item.record.url or item.record.external_id}. "
        "Status: menunggu verifikasi analis; belum merupakan putusan."
    )


def alerts_for(item: ContentMatched, now: datetime) -> list[Alert]:
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
    return [
        Alert(
            alert_id=alert_id_for(match.nip, item.content_id),
            agency_code=match.subject.agency_code,
            summary=summary_id(item, match),
            subject=match.subject,
            content=content,
            classification=item.classification,
            match=match,
            registry_version=item.registry_version,
            created_at=now,
        )
        for match in item.matches
        if match.band == "match" and match.subject is not None
    ]
