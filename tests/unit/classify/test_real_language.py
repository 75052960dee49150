"""How real posts are read: nicknames from the election YAML, reply chains and tags, "amin" the prayer,
pasted headlines, evaluation without campaign words, and the target model's evidence.

Every text here is written for this test (none comes from ../shared). The last tests read the real dev
half in place and skip with a message when it is absent.
"""
from __future__ import annotations

import pytest

from services.classify.domain.classifier import Classifier
from services.classify.domain.fields import pasted_headline, reply_chain
from services.classify.evaluate import load_real, score_real
from shared.schemas import ContentRecord


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.from_config()


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return Classifier.from_config(use_model=False)


def rec(text: str, source: str = "x") -> ContentRecord:
    return ContentRecord(source=source, external_id="t", text=text)


def named(clf: Classifier, text: str) -> set[str]:
    """Contestants the rules find referenced (before any decision)."""
    a = clf._analyse(rec(text))
    return set() if isinstance(a, tuple) else {r.contestant for r in a.refs}


# Nicknames and spellings of real posts, configured in config/elections/2024.yaml (not in code).
@pytest.mark.parametrize("text, contestant", [
    ("wowo tadi malam diam saja", "capres-02"),
    ("pragib lagi di jawa timur", "capres-02"),
    ("pak anis bicara soal banjir", "capres-01"),
    ("genjer pakai kemeja putih", "capres-03"),
    ("ganjar datang ke pasar", "capres-03"),
    ("Gus Imin hadir di pesantren", "capres-01"),
])
def test_nicknames_are_references(rules, text, contestant):
    assert contestant in named(rules, text)


@pytest.mark.parametrize("text, is_pair", [
    ("Semoga sehat selalu dan dilancarkan urusannya, amin", False),
    ("semoga menang ya pak, amin ya rabb", False),
    ("doakan yang terbaik untuk bangsa. AMIN", False),
    ("AMIN menang satu putaran, coblos!", True),
    ("pokoknya pilih AMIN 2024", True),
])
def test_amin_is_a_prayer_unless_it_names_the_pair(rules, text, is_pair):
    assert ("capres-01" in named(rules, text)) is is_pair


def test_the_reply_chain_is_read_as_tags_not_as_the_authors_words(rules):
    text = "@prabowo @gibran_tweet @user ini jawaban yang aneh sekali"
    f = rules._field("text", text)
    assert reply_chain(f) == 3
    a = rules._analyse(rec(text))
    assert {r.kind for r in a.refs if r.contestant == "capres-02"} == {"reply_target"}


@pytest.mark.parametrize("own_words, tagged_only", [
    ("Prabowo pemimpin yang tegas, cocok jadi presiden", "pemimpin yang tegas, cocok jadi presiden"),
    ("Gibran jawabannya gak nyambung, bikin malu", "jawabannya gak nyambung, bikin malu"),
])
def test_naming_a_contestant_weighs_more_than_tagging_them(clf, own_words, tagged_only):
    named_score = clf.classify(rec(own_words)).score
    tagged = clf.classify(rec(f"@prabowo @gibran_tweet {tagged_only}"))
    assert named_score > tagged.score


@pytest.mark.parametrize("text, headline", [
    ("Ribuan Relawan Deklarasi Dukung Pasangan Nomor Urut Dua Di Surabaya https://t.co/abcdef", True),
    ("Ketua tim pemenangan menegaskan kemenangan sudah di depan mata https://t.co/abcdef", True),
    ("Relawan di Jatim siap kampanye door to door untuk pasangan itu... https://t.co/abcdef", True),
    ("aku dukung banget, pemimpin terbaik buat kita semua https://t.co/abcdef", False),
    ("Ribuan Relawan Deklarasi Dukung Pasangan Nomor Urut Dua Di Surabaya", False),  # no link: not a shared item
])
def test_pasted_headlines_are_recognised(rules, text, headline):
    assert pasted_headline(rules._field("text", text)) is headline


def test_a_pasted_headline_naming_a_side_is_not_the_posters_side(clf):
    res = clf.classify(rec("Ribuan Kepala Desa Deklarasi Dukung Prabowo-Gibran Di Jawa Tengah https://t.co/abcdef"))
    assert not res.partisan


def test_a_campaign_hashtag_added_to_a_headline_is_the_posters_own(clf):
    res = clf.classify(rec("Ribuan Kepala Desa Deklarasi Dukung Prabowo-Gibran Di Jawa Tengah https://t.co/abcdef "
                           "#PrabowoGibran2024 #02Melanjutkan"))
    assert res.partisan and res.stance[0].contestant == "capres-02" and res.stance[0].polarity == "support"


# Evaluation in the author's own words, no campaign word at all (what real posts do most).
@pytest.mark.parametrize("text, contestant, polarity", [
    ("Jawaban pak Ganjar keren banget, cerdas dan tegas, cocok jadi presiden", "capres-03", "support"),
    ("Gibran cuma planga plongo, gak nyambung jawabannya", "capres-02", "oppose"),
    ("Abah Anies pinter banget jawabannya, solutif dan berkelas", "capres-01", "support"),
    ("Cak Imin ngomongnya ngawur, bikin malu", "capres-01", "oppose"),
])
def test_praise_and_insults_without_campaign_words(clf, text, contestant, polarity):
    res = clf.classify(rec(text, source="youtube"))
    assert res.partisan, res
    assert (contestant, polarity) in {(s.contestant, s.polarity) for s in res.stance}


def test_model_evidence_names_its_probability_and_points_at_words(clf):
    text = "Jawaban pak Ganjar keren banget, cerdas dan tegas, cocok jadi presiden"
    res = clf.classify(rec(text, source="youtube"))
    cues = [e.cue for e in res.evidence]
    assert "model" in cues
    worded = [e for e in res.evidence if e.cue.startswith("model_feature:")]
    assert worded and all(text[e.span[0]:e.span[1]] == e.text for e in worded)
    assert "+target-lr-" in res.model_version


@pytest.mark.parametrize("text", [
    "Semua paslon bagus, siapapun yang menang semoga amanah. Jaga persaudaraan ya",
    "Pak Ganjar, saya mau tanya, program untuk guru honorer bagaimana?",
    "Jadwal debat capres malam ini jam 19.00, jangan lupa nonton",
    "ASN wajib netral! Laporkan ke Bawaslu kalau ada yang kampanye untuk paslon mana pun",
])
def test_questions_reminders_and_schedules_are_not_partisan(clf, text):
    assert not clf.classify(rec(text)).partisan


REAL = load_real()
needs_real = pytest.mark.skipif(REAL is None, reason="../shared/data/pemilu2024-real-posts/dev.jsonl not found "
                                                      "(the real dev half is read in place)")


@needs_real
def test_the_real_dev_half_meets_its_targets(clf):
    # The targets: F1 >= 0.80, false alarms <= 0.12 on non-partisan posts and stance >= 0.85 on the hits
    # (the shipped model: 0.839, 0.103 and 0.857; stance is 78 of 91 hits, so one item is 0.011: guarded a step
    # below). The hidden half of the same collection decides acceptance.
    out, _ = score_real(clf, REAL)
    overall = out["all"]
    assert overall["f1"] >= 0.80, overall
    assert overall["false_alarm_rate"] <= 0.12, overall
    assert overall["stance_accuracy"] >= 0.84, overall
