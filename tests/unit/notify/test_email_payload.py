"""E-mail through a real local SMTP server (aiosmtpd) and the versioned payload."""
from __future__ import annotations

import json
import random

import pytest

from services.dispatcher.channels.email import EmailChannel, SmtpConfig, render_email
from services.dispatcher.payload import NotificationItem, build_payload, case_url, payload_bytes
from services.dispatcher.channels.retry import RetryPolicy, RetryRunner
from services.notify.domain.evaluate import plan_event, sanction_for, summary_for
from services.notify.domain.labels import alert_labels
from tests.local_servers import free_port, smtp_server

from .conftest import NIP, T0, make_alert


@pytest.fixture
def smtp():
    with smtp_server() as running:
        yield running


def items_for(config, alerts, event="forwarded"):
    out = []
    for alert in alerts:
        plan = plan_event(config, alert, event)
        route = [m for m in plan.matches if m.receiver == "employing-agency"][0]
        out.append(NotificationItem(
            item_id=f"{alert.alert_id}:{event}", event=event, alert=alert, case_status="forwarded",
            labels=alert_labels(alert, config.directory, config.sanctions, event),
            sanction=sanction_for(config, alert), summary=summary_for(config, alert, event), route=route.explain(),
        ))
    return out, route


def sample_payload(config, n=2, **kw):
    alerts = [make_alert(external_id=str(1000 + i)) for i in range(n)]
    items, route = items_for(config, alerts)
    labels = items[0].labels
    return build_payload(
        notification_id="nf_test", group_key=route.group_key(labels), status="firing", event="forwarded",
        receiver="employing-agency", integration="employing-agency/email0", recipient_code="PEMKOT-3374",
        recipient_name="Pemerintah Kota Semarang", group_labels=route.group_labels(labels), route=route.explain(),
        items=items, public_url="http://127.0.0.1:18080/", sent_at=T0, **kw,
    )


def test_payload_shape(notify_config):
    p = sample_payload(notify_config)
    assert p["version"] == "1" and p["status"] == "firing" and p["truncated"] is False
    assert p["group_key"] == 'to-employing-agency:{agency="PEMKOT-3374",nip="%s"}' % NIP
    item = p["items"][0]
    assert item["case_url"] == case_url("http://127.0.0.1:18080", item["case_id"])
    assert item["case_url"].startswith("http://127.0.0.1:18080/v1/cases/al_")
    assert set(item["subject"]) >= {"nip", "name", "position", "unit"}
    assert set(item["content"]) >= {"url", "excerpt", "published_at", "evidence_sha256"}
    assert item["classification"]["evidence"][0]["text"] == "#PrabowoGibran2024"
    assert item["match"]["explanation"][0]["feature"] == "handle_exact"
    assert item["route"]["route"] == "to-employing-agency" and item["route"]["matched"] == ['event="forwarded"']
    assert item["summary"].startswith("Dugaan pelanggaran netralitas ASN")
    assert "Pasal 9 ayat (2)" in item["sanction"]["legal_basis_text"]
    assert payload_bytes(p) == payload_bytes(json.loads(payload_bytes(p)))  # deterministic bytes


def test_payload_truncation_flags(notify_config):
    p = sample_payload(notify_config, n=3, max_items=2)
    assert p["truncated"] is True and p["remaining_items"] == 1 and len(p["items"]) == 2
    p = sample_payload(notify_config, n=1, remaining_items=4)
    assert p["truncated"] is True and p["remaining_items"] == 4


async def test_email_received_by_local_smtp_server(smtp, notify_config):
    box, port = smtp
    payload = sample_payload(notify_config)
    subject, text = render_email(payload)
    sender = EmailChannel(SmtpConfig(host="127.0.0.1", port=port, sender="Pantau Netral <notify@pantau.test>"))
    result = await sender.send(["netralitas-asn@semarangkota.example"], subject, text,
                               notification_id="nf_test", attachment=payload_bytes(payload))
    assert result.ok and result.attempt_count == 1
    assert len(box.messages) == 1
    msg = box.messages[0]
    assert box.envelopes[0].rcpt_tos == ["netralitas-asn@semarangkota.example"]
    assert msg["Subject"] == ("[Pantau Netral] Penerusan dugaan pelanggaran netralitas ASN - "
                              "Pemerintah Kota Semarang (2 kasus)")
    assert msg["X-Pantau-Notification-Id"] == "nf_test" and "nf_test" in msg["Message-ID"]
    body = msg.get_body(("plain",)).get_content()
    assert body.startswith("Yth. Pemerintah Kota Semarang,")
    assert f"NIP: {NIP}" in body and "Dasar hukum: Pasal 9 ayat (2) UU 5/2014" in body
    assert "Tautan kasus: http://127.0.0.1:18080/v1/cases/al_" in body
    assert "bukan putusan" in body
    attachment = [part for part in msg.iter_attachments()][0]
    assert attachment.get_filename() == "pantau-notifikasi.json"
    assert json.loads(attachment.get_content())["notification_id"] == "nf_test"


async def test_smtp_transient_4xx_is_retried_permanent_5xx_is_not(smtp):
    box, port = smtp
    box.script = ["451 4.3.0 Mailbox temporarily unavailable"]
    sender = EmailChannel(SmtpConfig(host="127.0.0.1", port=port),
                         RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02),
                          runner=RetryRunner(rng=random.Random(1)))
    result = await sender.send(["a@x.example"], "Uji", "Isi", notification_id="nf_1")
    assert result.ok and result.attempt_count == 2 and result.attempts[0].status_code == 451
    assert len(box.messages) == 1
    box.script = ["554 5.7.1 Rejected"]
    result = await sender.send(["a@x.example"], "Uji", "Isi", notification_id="nf_2")
    assert result.outcome == "failed_permanent" and result.attempt_count == 1 and result.status_code == 554
    assert len(box.messages) == 1


async def test_smtp_server_down_exhausts_budget():
    sender = EmailChannel(SmtpConfig(host="127.0.0.1", port=free_port(), timeout=1),
                         RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01))
    result = await sender.send(["a@x.example"], "Uji", "Isi", notification_id="nf_3")
    assert result.outcome == "failed_exhausted" and result.attempt_count == 2
    assert result.attempts[0].error.startswith("connection")


def test_smtp_settings_come_from_the_environment_and_keep_the_password_secret(monkeypatch):
    from services.dispatcher.settings import DispatcherSettings

    monkeypatch.setenv("PANTAU_SMTP_HOST", "smtp.bkn.example")
    monkeypatch.setenv("PANTAU_SMTP_PORT", "587")
    monkeypatch.setenv("PANTAU_SMTP_STARTTLS", "1")
    monkeypatch.setenv("PANTAU_SMTP_USERNAME", "pantau")
    monkeypatch.setenv("PANTAU_SMTP_PASSWORD", "rahasia-sekali")
    config = SmtpConfig.from_settings(DispatcherSettings())
    assert (config.host, config.port, config.starttls, config.username) == ("smtp.bkn.example", 587, True, "pantau")
    assert config.password.get_secret_value() == "rahasia-sekali"
    assert "rahasia-sekali" not in repr(config) and "rahasia-sekali" not in repr(DispatcherSettings())
