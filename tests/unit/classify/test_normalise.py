"""Normalisation: slang, elongation, hashtags, emoji, spans (golden tables + properties)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.classify.domain.normalise import Segmenter, canonical_emoji, handle_key, normalise_word, tokenize

WORDS = [
    ("dukunggg", "dukung"), ("bgt", "banget"), ("gk", "tidak"), ("Nggak", "tidak"), ("yg", "yang"),
    ("jgn", "jangan"), ("ojo", "jangan"), ("ulah", "jangan"), ("nyoblos", "coblos"), ("milih", "pilih"),
    ("pilihlah", "pilih"), ("nomer", "nomor"), ("02", "2"), ("duaa", "2"), ("telu", "3"), ("sama2", "sama"),
    ("PRABOWOOO", "prabowo"), ("gasss", "gas"), ("pokoke", "pokoknya"), ("ＡＭＩＮ", "amin"),
]


@pytest.mark.parametrize("raw,expected", WORDS)
def test_normalise_word(raw, expected):
    assert normalise_word(raw) == expected


HASHTAGS = [
    ("#PrabowoGibran2024", "prabowo gibran 2024"),
    ("#GanjarMahfud", "ganjar mahfud"),
    ("#aniesmuhaimin", "anies muhaimin"),
    ("#asalbukanprabowo", "asal bukan prabowo"),
]


@pytest.mark.parametrize("tag,expected", HASHTAGS)
def test_hashtag_segmentation(tag, expected):
    seg = Segmenter({"prabowo", "gibran", "ganjar", "mahfud", "anies", "muhaimin", "asal", "bukan"})
    (tok,) = tokenize(tag, seg)
    assert tok.kind == "hashtag" and tok.norm == expected and tok.text == tag


def test_emoji_and_mentions_keep_features():
    toks = tokenize("gas @TKN_PrabowoGibran ✌🏽 3️⃣ https://t.co/x")
    kinds = [(t.kind, t.norm) for t in toks]
    assert ("mention", "@tknprabowogibran") in kinds
    assert ("emoji", "✌") in kinds
    assert ("emoji", canonical_emoji("3️⃣")) in kinds
    assert ("url", "<url>") in kinds


def test_handle_key():
    assert handle_key("@TKN_Prabowo.Gibran") == handle_key("tknprabowogibran")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_token_spans_point_into_the_text(text):
    for t in tokenize(text):
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text
