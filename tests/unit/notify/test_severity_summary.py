from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import get_args

import pytest

from services.notify.domain.summary import alert_summary, format_time_id
from shared.schemas import ViolationForm

from .conftest import make_alert

# form -> (discipline, severity, ethics present, a citation the legal basis must contain)
SKB_TABLE = [
    ("campaign_props", "berat", "high", True, "Lampiran II angka 1"),
    ("social_media_campaign", "berat", "high", True, "Lampiran II angka 2"),
    ("campaign_attendance", "berat", "high", True, "Lampiran II angka 4"),
    ("party_membership", "ptdh", "critical", False, "Pasal 87 ayat (4) huruf c UU 5/2014"),
    ("engagement", "berat", "high", True, "Pasal 5 huruf n angka 5 PP 94/2021"),
    ("partisan_photo", "berat", "high", True, "Lampiran II angka 7"),
    ("mobilization", "sedang", "medium", False, "Pasal 283 ayat (1) UU 7/2017"),
    ("campaign_team", "berat", "high", False, "Pasal 280 ayat (3) UU 7/2017"),
    ("support_letter", "berat", "high", False, "Pasal 5 huruf n angka 7 PP 94/2021"),
    ("official_decision", "berat", "high", False, "Pasal 282 UU 7/2017"),
    ("none", "none", "low", False, "Tidak berlaku"),
]


def test_every_form_is_in_the_table(notify_config):
    assert {row[0] for row in SKB_TABLE} == set(get_args(ViolationForm))


@pytest.mark.parametrize("form,discipline,severity,ethics,citation", SKB_TABLE)
def test_skb_2022_table(notify_config, form, discipline, severity, ethics, citation):
    info = notify_config.sanctions.for_form(form)
    assert info.discipline == discipline
    assert info.severity == severity
    assert (info.ethics is not None) is ethics
    assert citation in info.legal_basis_text
    if form != "none":
        assert "Pasal 9 ayat (2)" in info.legal_basis_text and "UU 5/2014" in info.legal_basis_text


@pytest.mark.parametrize("form", [f for f in get_args(ViolationForm) if f != "none"])
def test_summary_is_a_suspicion_in_indonesian_with_legal_basis(notify_config, form):
    alert = make_alert(form=form)
    info = notify_config.sanctions.for_form(form)
    text = alert_summary(alert, info, {"capres-02": "Prabowo Subianto–Gibran Rakabuming Raka"})
    assert text.startswith("Dugaan pelanggaran netralitas ASN: ")
    assert "mendukung Prabowo Subianto–Gibran Rakabuming Raka" in text
    assert "Dasar hukum: " + info.legal_basis_text in text
    assert "belum merupakan putusan" in text
    assert "Apabila terbukti" in text
    # never a verdict
    for verdict in ("terbukti melanggar", "dinyatakan bersalah", "telah melanggar"):
        assert verdict not in text
    assert "198503122010012004" not in text  # the NIP travels in the subject block, not free text


def test_summary_mentions_person_content_and_time(notify_config):
    text = alert_summary(make_alert(), notify_config.sanctions.for_form("social_media_campaign"), {}, "forwarded")
    assert "Dra. Hj. Sri Wahyuningsih, M.Pd., Guru Ahli Muda, Dinas Pendidikan, Pemerintah Kota Semarang" in text
    assert "unggahan di instagram, 10 Januari 2024 pukul 08.15 WIB" in text
    assert "mendukung capres-02" in text  # unknown name: the id
    assert "diverifikasi analis dan diteruskan" in text


@pytest.mark.parametrize(
    "value,expected",
    [
        (datetime(2024, 2, 14, 7, 0, tzinfo=timezone(timedelta(hours=8))), "14 Februari 2024 pukul 07.00 WITA"),
        (datetime(2024, 12, 1, 23, 5, tzinfo=timezone(timedelta(hours=9))), "1 Desember 2024 pukul 23.05 WIT"),
        (datetime(2024, 3, 1, 1, 2, tzinfo=timezone.utc), "1 Maret 2024 pukul 01.02 UTC"),
        (None, "waktu tidak diketahui"),
    ],
)
def test_time_format(value, expected):
    assert format_time_id(value) == expected


@pytest.mark.parametrize("form, expected", [
    ("social_media_campaign", "melakukan sosialisasi atau kampanye melalui media sosial/media daring"),
    ("party_membership", "menjadi anggota dan/atau pengurus partai politik"),
    (None, "tidak ada"),
    ("not_a_form", "not_a_form"),  # never read as "no violation"
])
def test_forms_are_shown_to_people_by_their_indonesian_label(notify_config, form, expected):
    assert notify_config.sanctions.label(form) == expected


def test_the_form_filter_offers_every_form_but_none_by_label(notify_config):
    labels = notify_config.sanctions.labels()
    assert set(labels) == set(get_args(ViolationForm)) - {"none"}
    assert all(label != form and " " in label for form, label in labels.items())
