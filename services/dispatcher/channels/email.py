"""E-mail delivery over SMTP (standard library ``smtplib`` in a worker thread; no extra package).

The message is plain text in Bahasa Indonesia with the JSON payload attached. ``Message-ID`` is
derived from the notification-log key and the key is also sent as ``X-Pantau-Notification-Id``,
so a mailbox rule or ticketing system can drop a repeat after a crash-and-retry.

Retries: connection failures, timeouts and SMTP 4xx replies (transient) with the same bounded
backoff as webhooks (the one ``RetryRunner``); SMTP 5xx replies (permanent) fail at once.
"""
from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Mapping, Sequence

from pydantic import SecretStr

from services.notify.domain.summary import format_time_id, group_subject_line

from ..settings import DispatcherSettings
from .base import Notification, failed
from .retry import DELIVERED, RETRY, Attempt, DeliveryResult, RetryPolicy, RetryRunner, Tried

STATUS_LINE_ID = {
    "new": "baru, menunggu verifikasi",
    "verified": "terverifikasi",
    "forwarded": "diteruskan ke instansi",
    "acknowledged": "diterima instansi",
    "closed_proven": "selesai: terbukti",
    "closed_not_proven": "selesai: tidak terbukti",
}
INTRO_ID = {
    "suspected": "Berikut dugaan pelanggaran netralitas ASN hasil pemantauan yang perlu diverifikasi.",
    "forwarded": (
        "Berikut dugaan pelanggaran netralitas ASN yang telah diverifikasi analis dan diteruskan "
        "untuk ditindaklanjuti oleh Pejabat Pembina Kepegawaian (PPK) sesuai ketentuan."
    ),
    "escalated": (
        "Dugaan pelanggaran berikut telah diteruskan kepada instansi tetapi belum ada tanda terima "
        "dalam batas waktu yang ditetapkan."
    ),
}


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "Pantau Netral <pantau-netral@localhost>"
    starttls: bool = False
    use_ssl: bool = False
    username: str = ""
    password: SecretStr = SecretStr("")
    timeout: float = 15.0

    @classmethod
    def from_settings(cls, settings: DispatcherSettings) -> "SmtpConfig":
        return cls(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                   starttls=settings.smtp_starttls, use_ssl=settings.smtp_ssl,
                   username=settings.smtp_username, password=settings.smtp_password)


def render_email(payload: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, text body) in Bahasa Indonesia from a notification payload."""
    items = payload.get("items", [])
    event = payload.get("event", "suspected")
    recipient = payload.get("recipient", {}) or {}
    agency_names = {i["subject"]["agency_name"] for i in items if i.get("subject")}
    agency_name = agency_names.pop() if len(agency_names) == 1 else ""
    subject = group_subject_line(recipient.get("name", ""), len(items), event, agency_name)
    if payload.get("status") == "reminder":
        subject = "[Pengingat] " + subject
    lines = [f"Yth. {recipient.get('name') or 'Bapak/Ibu'},", ""]
    if recipient.get("note"):
        lines += [f"Catatan: {recipient['note']}", ""]
    lines += [INTRO_ID.get(event, INTRO_ID["suspected"]), ""]
    for n, item in enumerate(items, 1):
        s = item["subject"]
        c = item["content"]
        sanction = item.get("sanction", {})
        published = c.get("published_at")
        when = format_time_id(datetime.fromisoformat(published)) if published else "waktu tidak diketahui"
        lines += [
            f"{n}. {item['summary']}",
            f"   NIP: {s['nip']}",
            f"   Nama: {s['name']}",
            f"   Jabatan: {s.get('position') or '-'}",
            f"   Unit kerja: {s.get('unit') or '-'} ({s.get('agency_name') or s.get('agency_code')})",
            f"   Konten: {c.get('url') or c.get('external_id')} ({c.get('source')}, {when})",
            f"   Kutipan: {c.get('excerpt') or '-'}",
            f"   Sidik bukti (SHA-256): {c.get('evidence_sha256')}",
            f"   Tingkat hukuman disiplin bila terbukti: {sanction.get('discipline_label', '-')}",
            f"   Dasar hukum: {sanction.get('legal_basis_text', '-')}",
            f"   Status kasus: {STATUS_LINE_ID.get(item.get('case_status', ''), item.get('case_status', ''))}",
            f"   Tautan kasus: {item['case_url']}",
            "",
        ]
    if payload.get("remaining_items"):
        lines += [f"Masih ada {payload['remaining_items']} kasus lain yang akan dikirim pada pesan berikutnya.", ""]
    route = payload.get("route", {}) or {}
    lines += [
        f"Alasan pengiriman: rute '{route.get('route', '-')}' ({'; '.join(route.get('matched', [])) or 'semua'}).",
        "",
        payload.get("notice", ""),
        "",
        f"ID notifikasi: {payload.get('notification_id')}",
        "Pesan ini dikirim otomatis oleh Pantau Netral; mohon tidak membalas ke alamat ini.",
    ]
    return subject, "\n".join(lines)


def build_message(
    sender: str, to: Sequence[str], subject: str, text: str, *, notification_id: str,
    attachment: bytes | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=notification_id, domain="pantau-netral.local")
    msg["X-Pantau-Notification-Id"] = notification_id
    msg["Content-Language"] = "id"
    msg.set_content(text, charset="utf-8")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="json", filename="pantau-notifikasi.json")
    return msg


ONE_ROUND = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=60.0, max_elapsed=300.0)


class EmailChannel:
    """Plain-text mail with the JSON payload attached, rendered from the logged body."""
    kind = "email"

    def __init__(self, config: SmtpConfig, policy: RetryPolicy = ONE_ROUND, *, runner: RetryRunner | None = None):
        self.config = config
        # One round (a few attempts in about a minute); the budget across rounds is hours (budget.py).
        self.policy = policy
        self._runner = runner or RetryRunner()

    async def close(self) -> None:
        """Nothing held open: each message uses its own SMTP connection."""

    async def deliver(self, notification: Notification) -> DeliveryResult:
        subject, text = render_email(json.loads(notification.body))
        return await self.send(notification.target["emails"], subject, text, notification_id=notification.key,
                               attachment=notification.body)

    def _send_sync(self, msg: EmailMessage, to: Sequence[str]) -> None:
        cfg = self.config
        if cfg.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            smtp.ehlo()
            if cfg.starttls and not cfg.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if cfg.username:
                smtp.login(cfg.username, cfg.password.get_secret_value())
            refused = smtp.send_message(msg, to_addrs=list(to))
            if refused:
                # Some recipients refused, others accepted: report, but do not re-send to all.
                raise _PartialRefusal(refused)
        finally:
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001 - the message is already handed over or failed
                smtp.close()

    async def send(
        self, to: Sequence[str], subject: str, text: str, *, notification_id: str,
        attachment: bytes | None = None,
    ) -> DeliveryResult:
        if not to:
            return failed("no recipients")
        msg = build_message(self.config.sender, to, subject, text, notification_id=notification_id,
                            attachment=attachment)

        async def hand_over_once(attempt: Attempt) -> Tried:
            try:
                await asyncio.to_thread(self._send_sync, msg, to)
                return DELIVERED
            except _PartialRefusal as exc:
                attempt.error = f"refused: {len(exc.refused)} recipient(s)"
                return Tried("permanent", f"{len(exc.refused)} of {len(to)} recipients refused")
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                attempt.error = f"smtp recipients refused {codes}"
                transient = all(400 <= c < 500 for c in codes)
            except smtplib.SMTPResponseException as exc:
                attempt.status_code = exc.smtp_code
                attempt.error = f"smtp {exc.smtp_code}"
                transient = 400 <= exc.smtp_code < 500
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError, TimeoutError) as exc:
                attempt.error = f"connection: {type(exc).__name__}"
                transient = True
            except smtplib.SMTPException as exc:
                attempt.error = f"smtp: {type(exc).__name__}"
                transient = False
            return RETRY if transient else Tried("permanent", attempt.error or "smtp error")

        return await self._runner.run(hand_over_once, self.policy)


class _PartialRefusal(Exception):
    def __init__(self, refused: dict):
        super().__init__("some recipients refused")
        self.refused = refused
