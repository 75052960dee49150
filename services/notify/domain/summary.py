"""Indonesian alert summaries for the people who must act.

Wording rule: this is a *dugaan* (suspicion) found by automated monitoring that must be verified by
a person; never a verdict ("terbukti", "melanggar") unless a human closed the case as proven.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Mapping

from shared.schemas import Alert

from .labels import top_stance
from .severity import SanctionInfo

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)
KIND_ID = {
    "post": "unggahan",
    "comment": "komentar",
    "share": "unggahan ulang (berbagi)",
    "like": "tanda suka",
    "follow": "mengikuti akun",
    "join_group": "bergabung dengan grup",
}
POLARITY_ID = {"support": "mendukung", "oppose": "menentang"}
STATUS_NOTE_ID = {
    "suspected": "Status: dugaan hasil pemantauan otomatis, menunggu verifikasi analis; belum merupakan putusan.",
    "forwarded": (
        "Status: dugaan telah diverifikasi analis dan diteruskan kepada instansi untuk pemeriksaan "
        "oleh PPK; belum merupakan putusan pelanggaran."
    ),
    "escalated": (
        "Status: eskalasi — dugaan telah diteruskan kepada instansi tetapi belum ada tanda terima "
        "dalam batas waktu; belum merupakan putusan pelanggaran."
    ),
}
_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


def format_time_id(value: datetime | None) -> str:
    """``10 Januari 2024 pukul 08.15 WIB`` (keeps the original offset; WIB/WITA/WIT when it is one)."""
    if value is None:
        return "waktu tidak diketahui"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    offset = value.utcoffset() or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    zone = _ZONES.get(hours) if offset.total_seconds() % 3600 == 0 else None
    if zone is None:
        zone = "UTC" if offset == timedelta(0) else f"UTC{'+' if hours >= 0 else '-'}{abs(hours):02d}"
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year} pukul {value:%H.%M} {zone}"


def contestant_label(contestant: str, names: Mapping[str, str]) -> str:
    return names.get(contestant) or contestant


def alert_summary(
    alert: Alert,
    sanction: SanctionInfo,
    contestant_names: Mapping[str, str] | None = None,
    event: str = "suspected",
) -> str:
    names = contestant_names or {}
    subject = alert.subject
    contestant, polarity = top_stance(alert.classification)
    target = ""
    if contestant:
        target = f" yang {POLARITY_ID.get(polarity, 'terkait')} {contestant_label(contestant, names)}"
    who = ", ".join(p for p in (subject.name, subject.position, subject.unit, subject.agency_name) if p)
    content = alert.content
    where = f"{KIND_ID.get(content.kind, content.kind)} di {content.source}"
    when = format_time_id(content.published_at)
    link = f" ({content.url})" if content.url else ""
    consequence = f"Apabila terbukti, dapat dikenai {sanction.discipline_label}"
    if sanction.ethics:
        consequence += f" serta {sanction.ethics}"
    consequence += "."
    if sanction.discipline == "none":
        consequence = "Bentuk pelanggaran belum dapat ditentukan."
    return (
        f"Dugaan pelanggaran netralitas ASN: {sanction.form_label}{target}. "
        f"Terduga: {who}. "
        f"Konten: {where}, {when}{link}. "
        f"{consequence} "
        f"Dasar hukum: {sanction.legal_basis_text}. "
        f"{STATUS_NOTE_ID.get(event, STATUS_NOTE_ID['suspected'])}"
    )


def group_subject_line(recipient_name: str, n_items: int, event: str, agency_name: str = "") -> str:
    """E-mail subject, Indonesian."""
    what = {
        "suspected": "Dugaan pelanggaran netralitas ASN untuk diverifikasi",
        "forwarded": "Penerusan dugaan pelanggaran netralitas ASN",
        "escalated": "Eskalasi: dugaan pelanggaran netralitas ASN belum ditindaklanjuti",
    }.get(event, "Dugaan pelanggaran netralitas ASN")
    scope = f" - {agency_name}" if agency_name else ""
    return f"[Pantau Netral] {what}{scope} ({n_items} kasus)"
