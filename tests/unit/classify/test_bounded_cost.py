"""Bounded cost per record (issue 13): a long post costs what its classification window costs.

Asserted on deterministic work counts (``Classifier.cost``: tokens read, matches, reference-cue pairs
examined), not on wall-clock time, so the tests hold on a loaded machine."""
from __future__ import annotations

import pytest

from services.classify.domain.classifier import Classifier
from services.classify.domain.config import load_elections
from shared.schemas import ContentRecord

SENTENCE = "Ayo coblos 02 Prabowo Gibran, pokoknya menang! "


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.from_config()


def rec(text: str, **kw) -> ContentRecord:
    return ContentRecord.model_validate({"source": "x", "external_id": "t", "text": text, **kw})


def test_cost_grows_linearly_inside_the_window(clf):
    # 10x and 100x repeats both fit the default window (6,000 + 2,000 characters)
    assert len(SENTENCE) * 100 <= clf.window.head_chars + clf.window.tail_chars
    small, big = clf.cost(rec(SENTENCE * 10)), clf.cost(rec(SENTENCE * 100))
    assert big["tokens"] == pytest.approx(10 * small["tokens"], rel=0.02)
    assert big["hits"] == pytest.approx(10 * small["hits"], rel=0.02)
    # quadratic pairing (every reference against every cue) would make this ratio ~100
    assert big["pairs"] <= 11 * small["pairs"]


def test_three_thousand_repeats_cost_no_more_than_the_window(clf):
    huge = SENTENCE * 3000  # ~141,000 characters
    window = clf.window.head_chars + clf.window.tail_chars
    at_window = clf.cost(rec(SENTENCE * (window // len(SENTENCE) + 1)))
    cost = clf.cost(rec(huge))
    assert cost["tokens"] <= at_window["tokens"] + 2
    assert cost["pairs"] <= at_window["pairs"] + 50
    result = clf.classify(rec(huge))
    assert result.partisan and result.stance[0].contestant == "capres-02"
    # evidence spans point into the stored text, also in the tail part of the window
    for ev in result.evidence:
        if ev.span and ev.field == "text":
            assert huge[ev.span[0]:ev.span[1]] == ev.text


def test_evidence_in_the_tail_of_a_long_post_is_found_with_its_real_offset(clf):
    filler = "Cuaca hari ini cerah dan jalanan ramai lancar. " * 800  # ~37,600 innocent characters
    text = filler + "Pokoknya tanggal 14 coblos Ganjar-Mahfud!"
    result = clf.classify(rec(text))
    assert result.partisan and result.stance[0].contestant == "capres-03"
    spans = [e for e in result.evidence if e.field == "text" and e.span]
    # the rules' evidence is the tail's words; the model may also name words it read at the head
    assert all(e.span[0] > len(filler) - 5 for e in spans if not e.cue.startswith("model"))
    assert spans and all(text[e.span[0]:e.span[1]] == e.text for e in spans)


def test_a_cut_closes_the_sentence(clf):
    # a cue at the end of the head does not pair with a name at the start of the tail: it scores
    # like the same words in two sentences, not like "coblos Anies" (the rules' scores: the model reads
    # the whole window's words as well)
    clf = Classifier(clf.config)
    w = clf.window
    head = ("x " * (w.head_chars // 2 - 10)) + "coblos"
    text = head + (" y" * 20_000) + " Anies"
    cut = clf.classify(rec(text)).score
    assert cut == clf.classify(rec("coblos. Anies")).score
    assert cut < clf.classify(rec("coblos Anies")).score


def test_media_beyond_the_limit_are_not_read(clf):
    w = clf.window
    media = [{"type": "image", "caption": "pemandangan"}] * w.max_media + [{"type": "image", "caption": "coblos 02 Prabowo"}]
    assert clf.cost(rec("liburan", media=media))["fields"] == 1 + w.max_media
    assert not clf.classify(rec("liburan", media=media)).partisan


def test_window_is_configurable_and_the_strictest_file_wins(tmp_path):
    src = (load_elections().files[0][0])
    text = open(src, encoding="utf-8").read()
    shipped = "  head_chars: 6000\n  tail_chars: 2000\n  max_media: 16\n"
    assert shipped in text
    strict = tmp_path / "strict.yaml"
    strict.write_text(text.replace(shipped, "  head_chars: 500\n  tail_chars: 0\n  max_media: 2\n"))
    clf = Classifier.from_config([strict])
    assert (clf.window.head_chars, clf.window.tail_chars, clf.window.max_media) == (500, 0, 2)
    text = "Cuaca cerah. " * 100 + "coblos 02 Prabowo Gibran!"
    assert not clf.classify(rec(text)).partisan  # beyond a 500-character head with no tail


def test_a_record_reads_at_most_max_total_chars_over_all_its_fields(clf):
    w = clf.window
    wall = "kata biasa saja " * 1200  # 19,200 characters per field (a field may hold 20,000)
    media = [{"type": "image", "caption": wall, "ocr_text": wall}] * w.max_media
    one = clf.cost(rec(wall))
    many = clf.cost(rec(wall, media=media, author={"bio": wall}, target={"handle": "x", "text": wall}, kind="comment"))
    chars_per_token = (w.head_chars + w.tail_chars) / one["tokens"]
    assert many["tokens"] * chars_per_token <= w.max_total_chars * 1.05 + 40 * many["fields"]
    # the record's own text comes first and is read in full window
    assert many["tokens"] >= one["tokens"]


def test_partisan_text_behind_a_wall_of_media_is_still_read(clf):
    wall = "kata biasa saja " * 1200
    media = [{"type": "image", "caption": wall}] * 16
    assert clf.classify(rec("coblos 02 Prabowo-Gibran!", media=media)).partisan
