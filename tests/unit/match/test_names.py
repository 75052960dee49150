from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.match.domain.generator import generate_rows
from services.match.domain.names import _parse_name, name_similarity, parse_name, phonetic_key, tokens_for_index


@pytest.mark.parametrize("raw,tokens,gender", [
    ("Dra. Hj. Sri Wahyuningsih, M.Pd.", ("sri", "wahyuningsih"), "F"),
    ("Drs. H. Achmad Chairul Anam, M.Si.", ("ahmad", "khairul", "anam"), "M"),
    ("Ir. Soekarno Djojohadikoesoemo, M.T.", ("sukarno", "joyohadikusumo"), None),
    ("Joesoef Tjahjono", ("yusuf", "cahyono"), None),
    ("Moch. Rizki Pratama, S.Kom", ("muhammad", "rizki", "pratama"), None),
    ("Muh. Rizki", ("muhammad", "rizki"), None),
    ("M. Rizki", ("muhammad", "rizki"), None),
    ("Mochammad Rizki", ("muhammad", "rizki"), None),
    ("M.Yusuf", ("muhammad", "yusuf"), None),
    ("Abd. Rahman", ("abdul", "rahman"), None),
    ("St. Aminah", ("siti", "aminah"), None),
    ("Ns. Rina Marlina, S.Kep.", ("rina", "marlina"), None),
    ("dr. Andi Nurhayati, Sp.OG", ("andi", "nurhayati"), None),
    ("Rina, A.Md.Kep.", ("rina",), None),
    ("Sutrisno", ("sutrisno",), None),
    ("Pak Budi Santoso SE", ("budi", "santoso"), "M"),
    ("Bunda Rara", ("rara",), "F"),
    ("Prof. Dr. Ir. H. Bambang Sudibyo, M.B.A.", ("bambang", "sudibyo"), "M"),
    ("Tjut Nja' Dhien", ("cut", "nya", "dhien"), None),
    ("Chairil Anwar", ("khairil", "anwar"), None),
    ("I Made Suartana, S.T., M.T.", ("i", "made", "suartana"), None),
    ("Nur'aini, S.Pd.I.", ("nuraini",), None),
])
def test_parse(raw: str, tokens: tuple[str, ...], gender: str | None) -> None:
    parsed = parse_name(raw)
    assert parsed.tokens == tokens
    assert parsed.gender_hint == gender


@pytest.mark.parametrize("a,b", [("Muhammad", "Muhamad"), ("Rizky", "Rizki"), ("Fatimah", "Fatima"),
                                 ("Achmad", "Ahmad"), ("Sitti", "Siti"), ("Khairul", "Chairul")])
def test_phonetic_variants_share_a_key(a: str, b: str) -> None:
    assert phonetic_key(parse_name(a).tokens[0]) == phonetic_key(parse_name(b).tokens[0])


def sim(a: str, b: str) -> float:
    pa, pb = parse_name(a), parse_name(b)
    return name_similarity(pa.tokens, pa.keys, pb.tokens, pb.keys)


def test_similarity_shapes() -> None:
    assert sim("Budi Santoso", "Budi Santoso, S.Pd.") == 1.0
    assert sim("Santoso Budi", "Budi Santoso") == 1.0
    assert 0.85 < sim("Budi Santoso", "Budi Eko Santoso") < 1.0  # missing middle name
    assert sim("Made Suartana", "I Made Suartana") > 0.95  # Balinese prefix left out
    assert sim("Budi Santoso", "Budi Hartono") < 0.6
    assert sim("Budi", "Budi Santoso") < sim("Budi Santoso", "Budi Santoso")
    assert sim("F. X. Manek", "Fransiskus Xaverius Manek") >= 0.75
    assert sim("Euis Komalasary", "Euis Komalasari") > 0.9


def test_fast_index_path_equals_parse_name() -> None:
    names = [row[1] for row in generate_rows(3000, seed=5)]
    names += ["Dra. Hj. Sri Wahyuningsih, M.Pd.", "St. Aminah", "H Rahman", "Dr. Ir. Budi, M.T.", "Budi Dr",
              "Santoso, Budi", "Hj.", "Al-Fattah Rizki", "Nur'aini, S.Pd."]
    for name in names:
        parsed = _parse_name(name)  # the full algorithm, not its memoised fast path
        assert tokens_for_index(name) == (parsed.tokens, parsed.keys), name
        assert parse_name(name) == parsed, name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "Po"]), max_size=40)
       | st.text(alphabet="abdeghijkmnoprstuyBDHMS .,'-", max_size=30))  # plain names: the fast path
def test_parse_never_fails_and_is_consistent(raw: str) -> None:
    parsed = parse_name(raw)
    assert all(t == t.lower() and t for t in parsed.tokens)
    assert parsed == _parse_name(raw)
    assert tokens_for_index(raw) == (parsed.tokens, parsed.keys)
