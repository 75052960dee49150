"""Golden cases for the issue-11 families, written for these tests (not taken from the dev/test sets).

Media-only evidence with its own spans, role and official-act forms, regional numbers and slogans,
advertorials, and the false-alarm families; plus the acceptance rule that the seed news article about
neutrality socialisation and news quoting candidates never classify as partisan."""
from __future__ import annotations

import json

import pytest

from services.classify.domain.classifier import Classifier
from services.classify.domain.config import REPO_ROOT
from shared.schemas import ContentRecord


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.from_config()


def rec(text="", **kw) -> ContentRecord:
    return ContentRecord.model_validate({"source": kw.pop("source", "facebook"), "external_id": "t", "text": text, **kw})


def img(caption=None, ocr=None, labels=()):
    return {"media": [{"type": "image", "caption": caption, "ocr_text": ocr, "labels": list(labels)}]}


# (text, extra, top stance, form)
POSITIVES = [
    # evidence only in the picture
    ("Arisan RT bulan ini", img(caption="ibu-ibu kompak pakai kaos Prabowo-Gibran"), "capres-02+", "partisan_photo"),
    ("Gowes bareng komunitas", img(ocr="AYO COBLOS GANJAR MAHFUD 03"), "capres-03+", "partisan_photo"),
    ("Latihan dulu biar gak salah", img(ocr="SURAT SUARA ... dicoblos pada Anies Muhaimin nomor 1", labels=["ballot paper"]),
     "capres-01+", "partisan_photo"),
    # roles and membership
    ("Alhamdulillah amanah baru sebagai wakil sekretaris DPC Gerindra Sragen", {}, "partai-02+", "party_membership"),
    ("Mohon doa restu, saya maju caleg DPRD kabupaten dari PKS", {}, "partai-08+", "party_membership"),
    ("Sore ini bimtek saksi Anies-Muhaimin untuk 40 TPS di desa kami", {}, "capres-01+", "campaign_team"),
    ("Resmi jadi jubir TKD Prabowo-Gibran Jawa Barat", {}, "capres-02+", "campaign_team"),
    # official acts
    ("Aula kecamatan hanya boleh dipakai untuk acara Ganjar-Mahfud, yang lain tidak diberi izin", {}, "capres-03+",
     "official_decision"),
    ("Memo kepala dinas: kehadiran pegawai di deklarasi Prabowo-Gibran wajib, akan diabsen", {}, "capres-02+",
     "official_decision"),
    ("Instruksi kepada seluruh guru untuk mempromosikan AMIN di grup wali murid, promosikan tiap hari", {}, "capres-01+",
     "mobilization"),
    # regional numbers and slogans
    ("Sedulur, tanggal 14 nyoblos nomer loro yo, Prabowo-Gibran", {}, "capres-02+", "social_media_campaign"),
    ("Urang mah milih nomor hiji, Anies pisan", {}, "capres-01+", "social_media_campaign"),
    ("Awak pilih nomor tigo, Ganjar nan paliang pas", {}, "capres-03+", "social_media_campaign"),
    ("Gue kaga ragu, coblos Prabowo nomer dua", {}, "capres-02+", "social_media_campaign"),
    # paid content on a news site
    ("ADVERTORIAL: Bersama Ganjar-Mahfud, petani sejahtera. Coblos nomor 3!", {"source": "news"}, "capres-03+",
     "social_media_campaign"),
]

NEGATIVES = [
    ("Pak Ganjar, tukang kebun sekolah kami, pensiun hari ini. Terima kasih atas pengabdiannya", {}),  # namesake
    ("Debat tadi: 01 banyak data, 02 banyak senyum, 03 banyak pantun. Aku mah nonton doang", {}),  # every side equally
    ("Ingat ya bapak ibu ASN, saat foto jangan pose dua jari atau tiga jari", {}),  # gesture reminder
    ("Sudah nyoblos, jari ungu ☝️", img(labels=["ink stained finger", "index finger up"])),  # inked finger
    ("Boneka gemoy diskon 50%, stok terbatas", {}),  # toy
    ("Es kopi oke gas, seger buat siang bolong", {}),  # food
    ("TPS 02 RT 04 pindah ke halaman masjid, buka jam 7", {}),  # polling-station information
    ("Liburan ke Dieng", img(caption="pose dua jari di kawah", labels=["v sign"])),  # peace sign, no election talk
    ("Mohon maaf kalau keliru, jadwal posyandu bulan ini tanggal 14", {}),  # a sign-off is no fact-check
]


@pytest.mark.parametrize("text,extra,stance,form", POSITIVES)
def test_v2_positives(clf, text, extra, stance, form):
    res = clf.classify(rec(text, **extra))
    assert res.partisan, (text, res.evidence)
    top = res.stance[0]
    assert f"{top.contestant}{'+' if top.polarity == 'support' else '-'}" == stance
    assert res.form == form


@pytest.mark.parametrize("text,extra", NEGATIVES)
def test_v2_false_alarm_families(clf, text, extra):
    res = clf.classify(rec(text, **extra))
    assert not res.partisan, (text, res.evidence)


def test_media_evidence_has_its_own_field_and_span(clf):
    ocr = "Spanduk: MENANGKAN PRABOWO GIBRAN NOMOR 2"
    res = clf.classify(rec("Kerja bakti warga", **img(ocr=ocr)))
    ev = [e for e in res.evidence if e.field == "media[0].ocr_text" and e.span]
    assert res.partisan and ev
    for e in ev:
        assert ocr[e.span[0]:e.span[1]] == e.text  # media[0].ocr_text[a:b]


def test_seed_neutrality_socialisation_news_is_never_partisan(clf):
    sample = REPO_ROOT / "deploy" / "sample" / "content.jsonl"
    rows = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines() if line.strip()]
    seed = next(r for r in rows if r["external_id"] == "semarang-sosialisasi-netralitas-2024-01-18")
    assert not clf.classify(ContentRecord.model_validate(seed)).partisan


@pytest.mark.parametrize("text", [
    "\"Coblos nomor 2, lanjutkan!\" kata Gibran di hadapan relawan di Solo, Minggu.",
    "Anies mengajak pendukungnya di Medan memilih AMIN, ujarnya dalam kampanye akbar.",
    "Dalam orasinya Ganjar menyerukan warga mencoblos nomor 3 pada 14 Februari.",
    "Juru bicara TPN menyatakan Ganjar-Mahfud optimistis menang di Jawa Tengah.",
    "Prabowo: \"Saya yakin menang satu putaran\", katanya kepada wartawan.",
])
def test_news_quoting_candidates_is_never_partisan(clf, text):
    assert not clf.classify(rec(text, source="news")).partisan
