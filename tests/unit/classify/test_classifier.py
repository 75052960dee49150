"""Decision logic as golden tables. These sentences are written for the tests, not taken from the
annotated dev/test sets, so the evaluation figures stay independent of them."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.classify.domain.classifier import Classifier
from shared.schemas import Classification, ContentRecord


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.from_config()


def rec(text="", **kw) -> ContentRecord:
    return ContentRecord.model_validate({"source": kw.pop("source", "x"), "external_id": "t", "text": text, **kw})


# (text, extra fields, expected partisan, expected top stance "cid+/-" or None, expected form)
POSITIVES = [
    ("Bismillah tanggal 14 saya coblos nomor 3, Ganjar-Mahfud!", {}, "capres-03+", "social_media_campaign"),
    ("gasss 02 menang satu putaran 🔥", {}, "capres-02+", "social_media_campaign"),
    ("Ayo rapatkan barisan, pilih AMIN!", {}, "capres-01+", "social_media_campaign"),
    ("jangan pilih Prabowo, inget sejarah", {}, "capres-02-", "social_media_campaign"),
    ("ogah milih Anies, cuma jago ngomong", {}, "capres-01-", "social_media_campaign"),
    ("mantap pak 👍", {"kind": "comment", "target": {"handle": "ganjar_pranowo", "text": "Pagi dari Semarang"}},
     "capres-03+", "engagement"),
    ("", {"kind": "like", "target": {"handle": "aniesbaswedan", "text": "Terima kasih Aceh"}}, "capres-01+", "engagement"),
    ("", {"kind": "follow", "target": {"handle": "relawan.prabowo.sulsel", "text": "Relawan Prabowo Sulsel"}},
     "capres-02+", "engagement"),
    ("Alhamdulillah sdh pegang KTA Golkar", {}, "partai-04+", "party_membership"),
    ("Siap jadi koordinator relawan Ganjar-Mahfud di kecamatan kami", {}, "capres-03+", "campaign_team"),
    ("Bapak ibu guru, arahan dari atas kita kompak pilih Prabowo-Gibran ya", {}, "capres-02+", "mobilization"),
    ("Tadi ikut kampanye akbar Anies di Makassar, rame poll", {}, "capres-01+", "campaign_attendance"),
    ("Baliho PKS udah kepasang depan rumah, siap menang", {}, "partai-08+", "campaign_props"),
    ("Kenangan ✌️", {"media": [{"type": "image", "caption": "foto bareng Gibran Rakabuming", "labels": ["v sign"]}]},
     "capres-02+", "partisan_photo"),
    ("Sudah kumpulkan fotokopi KTP warga untuk dukungan Dharma Pongrekun di pilgub Jakarta", {}, "cagub-jakarta-02+",
     "support_letter"),
    # a greeting to "bapak ibu guru" is not an appeal; the partisan act is in the photo
    ("Pagi bapak ibu guru, semangat ya 🙏", {"media": [{"type": "image", "caption": "sama teman kantor ✌️☝️ #GanjarMahfud",
                                                        "ocr_text": "GANJAR MAHFUD 03", "labels": ["people"]}]},
     "capres-03+", "partisan_photo"),
    ("Rekan2 guru, tgl 14 mari kita coblos 03 ya", {}, "capres-03+", "mobilization"),
    ("Semua warga RT sini jgn lupa ajak keluarga pilih Prabowo-Gibran", {}, "capres-02+", "mobilization"),
]

NEGATIVES = [
    ("Bawaslu periksa camat yang diduga ajak warga coblos nomor 2", {}),
    ("ASN wajib netral, jangan like atau share postingan paslon mana pun", {}),
    ("[HOAKS] Anies disebut akan hapus subsidi. Faktanya tidak pernah diucapkan", {}),
    ("\"Pilih nomor 1!\" seru Cak Imin di depan massa, kata wartawan", {"source": "news"}),
    ("dapet nomor antrian 2 di puskesmas, lama bgt", {}),
    ("anak tetangga gemoy banget, pipinya tembem", {}),
    ("Liburan ke Lombok ✌️", {"media": [{"type": "image", "caption": "pantai", "labels": ["beach", "v sign"]}]}),
    ("Pemkot salurkan bantuan sembako ke 5.000 warga terdampak banjir", {}),
    ("harga cabai naik lagi, pemerintah tolong turun tangan", {}),
    ("Amin ya Allah, semoga lekas sembuh", {}),
    ("Prabowo kampanye di Medan hari ini, ribuan pendukung hadir", {"source": "news"}),
    ("siapapun pilihanmu 01, 02 atau 03, tetap saudara", {}),
    ("Rapat RT 02 RW 05 nanti malam", {}),
    ("", {"kind": "like", "target": {"handle": "kompascom", "text": "Jadwal debat capres kelima"}}),
    # a lone ✌️ (or ✌️☝️) with no election context is a peace sign, whatever friendly words stand next to it
    ("Antre di kantor pajak lama bgt, semangat kawan2 ✌️", {}),
    ("sabar ya ✌️ semoga menang lombanya", {}),
    ("Makasih bestie ✌️☝️ mantap", {}),
    # comparisons in reporting are not a choice
    ("Suara Prabowo lebih banyak daripada Anies di Jatim menurut quick count", {"source": "news"}),
    ("Elektabilitas Ganjar turun dibanding Prabowo bulan ini", {}),
    ("saya mending tidur daripada ribut soal 02", {}),
    ("Warung sebelah cuma jual boneka lucu, mending ke sini", {}),
]

# Exact stance sets: gesture combinations, contrast ("mending X", "X daripada Y") and derision.
STANCE_SETS = [
    ("Salam tiga jari ✌️☝️ #GanjarMahfud", {}, {"capres-03+"}, "social_media_campaign"),
    ("☝️ ✌️ tgl 14 coblos Ganjar-Mahfud", {}, {"capres-03+"}, "social_media_campaign"),
    ("Prabowo-Gibran ✌️✌️ oke gas", {}, {"capres-02+"}, "social_media_campaign"),
    ("Yg 01 itu cuma jual janji, mending 02 Prabowo-Gibran lanjutkan!", {}, {"capres-02+", "capres-01-"},
     "social_media_campaign"),
    ("Nomor 02 modalnya cuma joget, mendingan Anies-Muhaimin", {}, {"capres-01+", "capres-02-"}, "social_media_campaign"),
    ("pilih 03 daripada 01, udah kebukti kerjanya", {}, {"capres-03+", "capres-01-"}, "social_media_campaign"),
    ("Lebih baik coblos Prabowo ketimbang Ganjar", {}, {"capres-02+", "capres-03-"}, "social_media_campaign"),
    ("Anies lebih baik daripada Prabowo soal pendidikan, tgl 14 pilih AMIN", {}, {"capres-01+", "capres-02-"},
     "social_media_campaign"),
    ("Jangan coblos 01, mending 03 aja", {}, {"capres-01-", "capres-03+"}, "social_media_campaign"),
    ("mending golput daripada pilih 02, capres semua sama aja", {}, {"capres-02-"}, "social_media_campaign"),
]


@pytest.mark.parametrize("text,extra,stance,form", POSITIVES)
def test_positive_golden(clf, text, extra, stance, form):
    res = clf.classify(rec(text, **extra))
    assert res.partisan, res
    top = res.stance[0]
    assert f"{top.contestant}{'+' if top.polarity == 'support' else '-'}" == stance
    assert res.form == form
    assert res.evidence, "every positive carries evidence"


@pytest.mark.parametrize("text,extra,expected,form", STANCE_SETS)
def test_stance_sets(clf, text, extra, expected, form):
    res = clf.classify(rec(text, **extra))
    assert res.partisan, res
    assert {f"{s.contestant}{'+' if s.polarity == 'support' else '-'}" for s in res.stance} == expected, res
    assert res.form == form


def test_gesture_combination_is_one_gesture(clf):
    """✌️☝️ is the three-finger salute: one piece of evidence for 03, no 01 or 02 from its parts."""
    res = clf.classify(rec("Salam tiga jari ✌🏽☝🏽 Ganjar-Mahfud"))
    combo = [e for e in res.evidence if e.cue == "gesture_combo"]
    assert combo and combo[0].contestant == "capres-03" and combo[0].text == "✌🏽☝🏽"
    assert not any(e.contestant in ("capres-01", "capres-02") for e in res.evidence)
    # written apart by words they stay two gestures
    apart = clf.classify(rec("pilpres: ✌️ atau ☝️ ya"))
    assert not any(e.cue == "gesture_combo" for e in apart.evidence)


@pytest.mark.parametrize("text,extra", NEGATIVES)
def test_hard_negative_golden(clf, text, extra):
    res = clf.classify(rec(text, **extra))
    assert not res.partisan, res
    assert res.form == "none" and res.stance == []


def test_evidence_points_at_the_words(clf):
    text = "pokoknya 14 Februari coblos Ganjar #GanjarMahfud2024"
    res = clf.classify(rec(text))
    spans = [e for e in res.evidence if e.field == "text" and e.span]
    assert spans
    for e in spans:
        assert text[e.span[0]:e.span[1]] == e.text
    assert any(e.cue == "hashtag" and e.text == "#GanjarMahfud2024" for e in res.evidence)


def test_model_version_and_determinism(clf):
    r = rec("coblos 02 ya bapak ibu")
    a, b = clf.classify(r), clf.classify(r)
    assert a == b and a.model_version.startswith("pantau-classify/rules-")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), kind=st.sampled_from(["post", "comment", "share", "like", "follow", "join_group"]),
       caption=st.one_of(st.none(), st.text(max_size=80)))
def test_any_input_gives_a_valid_result(clf, text, kind, caption):
    media = [{"type": "image", "caption": caption, "labels": ["v sign"]}] if caption is not None else []
    res = clf.classify(rec(text, kind=kind, media=media, target={"handle": "prabowo", "text": text[:50]}))
    Classification.model_validate(res.model_dump())
    assert (res.form == "none") == (not res.partisan)
    for e in res.evidence:
        if e.field == "text" and e.span:
            assert text[e.span[0]:e.span[1]] == e.text


ELECTION_WORDS = ["coblos", "pilih", "dukung", "02", "nomor", "Prabowo", "Anies", "Ganjar", "AMIN", "jangan", "gak",
                  "#PrabowoGibran", "✌️", "bawaslu", "hoaks", "kata", "\"", "salam", "dua", "jari", "lah", "kampanye", "."]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(ELECTION_WORDS), max_size=12))
def test_report_frame_never_raises_score(clf, words):
    """Adding a Bawaslu-report frame to any content never makes it more partisan.

    The frame is written in the post's own register: a lower-case sentence appended to a shouted
    post would change whether its capitals (AMIN, the pair's acronym) are trusted at all."""
    text = " ".join(words)
    letters = [ch for ch in text if ch.isalpha()]
    shouted = bool(letters) and sum(ch.isupper() for ch in letters) / len(letters) > 0.5
    frame = ". Bawaslu periksa dugaan pelanggaran netralitas ini"
    plain = clf.classify(rec(text))
    framed = clf.classify(rec(text + (frame.upper() if shouted else frame)))
    assert framed.score <= plain.score + 1e-9
