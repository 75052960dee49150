"""Shared builders for notify unit tests: realistic alerts and the repo's notify config."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.notify.domain.config import load_notify_config
from shared.schemas import (
    Alert, AlertContent, Classification, Evidence, FeatureExplanation, Match, Stance, Subject,
    alert_id_for, content_id_for,
)

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 1, 20, 10, 0, tzinfo=timezone.utc)
NIP = "198503122010012004"


def make_alert(
    *,
    nip: str = NIP,
    external_id: str = "1745",
    source: str = "instagram",
    kind: str = "post",
    form: str = "social_media_campaign",
    agency_code: str = "PEMKOT-3374",
    agency_name: str = "Pemerintah Kota Semarang",
    province: str = "33",
    regency: str = "33.74",
    contestant: str = "capres-02",
    evidence_field: str = "text",
    created_at: datetime = T0,
) -> Alert:
    content_id = content_id_for(source, external_id)
    subject = Subject(
        nip=nip, name="Dra. Hj. Sri Wahyuningsih, M.Pd.", agency_code=agency_code, agency_name=agency_name,
        unit="Dinas Pendidikan", position="Guru Ahli Muda", province_code=province, regency_code=regency,
    )
    return Alert(
        alert_id=alert_id_for(nip, content_id),
        agency_code=agency_code,
        summary="(ringkasan dari layanan notify)",
        subject=subject,
        content=AlertContent(
            content_id=content_id, source=source, external_id=external_id,
            url=f"https://www.instagram.com/p/{external_id}/", kind=kind,
            excerpt="Ayo coblos nomor 2! #PrabowoGibran2024",
            published_at=datetime(2024, 1, 10, 8, 15, tzinfo=WIB), evidence_sha256="ab" * 32,
        ),
        classification=Classification(
            partisan=True, score=0.91, form=form,
            stance=[Stance(contestant=contestant, polarity="support", score=0.9)],
            evidence=[Evidence(cue="hashtag", text="#PrabowoGibran2024", field=evidence_field, contestant=contestant, weight=0.6)],
            model_version="rules-1",
        ),
        match=Match(
            nip=nip, band="match", score=0.97,
            explanation=[FeatureExplanation(feature="handle_exact", score=1.0, detail="instagram handle in registry",
                                            query_value="bu_sriwahyu", candidate_value="instagram:bu_sriwahyu")],
            subject=subject,
        ),
        registry_version="reg-2024-01",
        created_at=created_at,
    )


@pytest.fixture(scope="session")
def notify_config():
    return load_notify_config()
