"""Searching only where a literal prefix occurs finds exactly what ``re.search`` finds."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.classify.domain import lexicon
from services.classify.domain.forms import FormDetector
from services.classify.domain.prefixed import MAX_PREFIXES, MAX_TRIES, first_match, literal_prefixes

DETECTOR = FormDetector()
PATTERNS = [pat for _, pat in DETECTOR.patterns] + [DETECTOR.addressees, DETECTOR.appeal]
FILLER = ["saya", "kami", "x", "2", ".", "ketuanya", "di", "ibu saja", "para"]


def _texts(pattern: re.Pattern):
    """Texts of the pattern's own words, bits of them and filler: they come close to matching it and often do."""
    words = re.findall(r"[a-z]{2,}", re.sub(r"\\[a-zA-Z]", " ", pattern.pattern))
    pieces = st.one_of(st.sampled_from(words), st.sampled_from(words).map(lambda w: w[1:]),
                       st.sampled_from(FILLER), st.text(alphabet="abdegiklmnprstuw .'-", max_size=6))
    return st.lists(pieces, max_size=40).map(" ".join)


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bkta\b", ("kta",)),
    (r"(dpc|dpd|dpw)", ("dpc", "dpd", "dpw")),  # the parser makes this "dp" and a set of letters
    (r"(ketua|wakil) ([\w'-]+ ){0,1}(dpc|dpd)", ("ketua ", "wakil ")),
    (r"(?<!saya )\b(pilih|coblos)\b|\bayo\b", ("ayo", "coblos", "pilih")),
    (r"\b(meng|di)?ajak(an)?\b", ("ajak", "di", "meng")),  # an optional start: the rest may start the match
    (r"(hadir|ikut)( [\w'-]+){0,3} kampanye", ("hadir ", "ikut ")),  # a repeat: its first space, then they stop
    (r"[a-z]+ dukung", None),  # a class of letters can start anywhere
    (r"(a|bc)[0-9]", None),  # "a": too short to be worth finding
    (r"(?i)kta", None),  # case-blind: a literal is not what the text holds
])
def test_prefixes_of_a_pattern(pattern, expected):
    assert literal_prefixes(re.compile(pattern)) == expected


@pytest.mark.parametrize("pattern", ["[abcd]" * 8, "(?:ab|cd)x" * 18, "(a|b)" * 40])
def test_prefixes_stay_few_on_any_pattern(pattern):
    """Sets of letters and branches multiply: the strings are shortened, and the walk stops, before they
    grow past the limit (the classifier builds them at start-up)."""
    prefixes = literal_prefixes(re.compile(pattern))
    assert prefixes is None or len(prefixes) <= MAX_PREFIXES


def test_the_addressee_pattern_has_prefixes():
    """The pattern the classifier searches this way on every field: if it lost its prefixes it would be
    searched the slow way, still correctly."""
    assert literal_prefixes(DETECTOR.addressees)


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:40])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_first_match_is_the_leftmost_match(pattern, data):
    text = data.draw(_texts(pattern))
    found, expected = first_match(pattern, literal_prefixes(pattern), text), pattern.search(text)
    assert (found and (found.span(), found.group())) == (expected and (expected.span(), expected.group()))


@pytest.mark.parametrize("text", [
    "bapak ibu guru ayo pilih",  # matches at the first place a prefix occurs
    "para peserta upacara dan warga desa",  # "para" inside "upacara" starts nothing; "warga desa" matches
    "saya warga kampung sini",
    "tidak ada sapaan di sini",
])
def test_addressees_as_the_engine_finds_them(text):
    pattern = DETECTOR.addressees
    found, expected = first_match(pattern, literal_prefixes(pattern), text), pattern.search(text)
    assert (found and found.span()) == (expected and expected.span())
    assert bool(found) == ("desa" in text or "kampung" in text or "guru" in text)


def test_the_lexicon_patterns_compile_to_prefixes_or_none():
    """Every pattern of the lexicon either has prefixes of at least two characters or is searched plainly."""
    for pat in [*lexicon.MOBILIZATION_ADDRESSEES, *lexicon.APPEAL_CUES]:
        prefixes = literal_prefixes(re.compile(pat))
        assert prefixes is None or min(map(len, prefixes)) >= 2


def test_many_starting_points_fall_back_to_one_search():
    text = " ".join(["ibu saja"] * (MAX_TRIES + 5)) + " warga desa kami"
    assert text.count("ibu ") > MAX_TRIES
    pattern = DETECTOR.addressees
    found, expected = first_match(pattern, literal_prefixes(pattern), text), pattern.search(text)
    assert (found.span(), found.group()) == (expected.span(), expected.group())
