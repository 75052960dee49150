"""The scoring feature table, feature by feature: golden cases of (feature, what the post says, planted
person) -> explanation line (feature, score, detail, query value, candidate value)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.match.domain import scoring
from services.match.domain.candidates import candidates
from services.match.domain.config import MatchConfig
from services.match.domain.engine import MatchEngine
from services.match.domain.query import Query
from shared.schemas import ContentRecord

from .golden import PLANTED, P

NIP_SRI = P["sri"].nip


def record(source: str = "instagram", text: str = "coblos 02", **author) -> ContentRecord:
    return ContentRecord.model_validate({"source": source, "external_id": "t1", "text": text, "author": author})


def scorer(engine: MatchEngine, **post) -> scoring.Scorer:
    return scoring.Scorer(Query(engine, record(**post)))


QUALIFIER_CASES = [
    # (feature, planted person, post, expected line)
    (scoring.region, "sri", {"display_name": "Sri", "bio": "Guru di Kota Semarang"},
     ("region_corroboration", 0.15, "regency/city named in the profile", "kota semarang", "33.74")),
    (scoring.region, "sri", {"display_name": "Sri", "text": "Salam dari Kota Semarang"},
     ("region_corroboration", 0.09, "regency/city named in the post", "kota semarang", "33.74")),
    (scoring.region, "sri", {"display_name": "Sri", "bio": "Warga Jawa Tengah"},
     ("region_corroboration", 0.06, "province named", "33", "33")),
    (scoring.region, "sri", {"display_name": "Sri", "bio": "ASN Kota Surabaya"},
     ("region_mismatch", -0.12, "profile names another region", "35.78", "33.74")),
    (scoring.region, "sri", {"display_name": "Sri", "bio": "Relawan 02"}, None),
    # A unit found in one place names the region already: counted once, by ``unit``.
    (scoring.region, "luh", {"display_name": "Luh", "bio": "Bidan Puskesmas Sukasada, Buleleng"}, None),
    (scoring.agency, "budi_medan", {"display_name": "Budi", "bio": "Pegawai Kementerian Keuangan"},
     ("agency_corroboration", 0.15, "employing agency named", "kementerian keuangan", "KEMENKEU")),
    (scoring.agency, "budi_medan", {"display_name": "Budi", "text": "Kementerian Keuangan"},
     ("agency_corroboration", 0.09, "employing agency named", "kementerian keuangan", "KEMENKEU")),
    (scoring.agency, "sri", {"display_name": "Sri", "bio": "Pegawai Kementerian Keuangan"},
     ("agency_mismatch", -0.08, "profile names another agency", "KEMENKEU", "PEMKOT-3374")),
    (scoring.unit, "luh", {"display_name": "Luh", "bio": "Bidan Puskesmas Sukasada"},
     ("unit_corroboration", 0.2, "work unit named", "puskesmas sukasada", "Puskesmas Sukasada")),
    (scoring.unit, "budi_sby", {"display_name": "Budi", "bio": "Dinas Perhubungan"},
     ("unit_corroboration", 0.08, "work unit named (a unit name used in many places)", "dinas perhubungan",
      "Dinas Perhubungan")),
    (scoring.unit, "wahyu", {"display_name": "Wahyu", "text": "Dinas Pertanian"},
     ("unit_corroboration", 0.048, "work unit named (a unit name used in many places)", "dinas pertanian",
      "Dinas Pertanian")),
    (scoring.unit, "sri", {"display_name": "Sri", "bio": "Kementerian Keuangan"}, None),
    (scoring.role, "sri", {"display_name": "Sri", "bio": "seorang guru"},
     ("role_corroboration", 0.06, "role or workplace type named", "guru", "Guru Ahli Madya")),
    (scoring.role, "sri", {"display_name": "Sri", "text": "para guru"},
     ("role_corroboration", 0.036, "role or workplace type named", "guru", "Guru Ahli Madya")),
    (scoring.role, "budi_sby", {"display_name": "Budi", "bio": "seorang guru"}, None),
    (scoring.sex, "sri", {"display_name": "Sri", "bio": "ibu dari dua anak"},
     ("sex_consistency", 0.02, "stated sex agrees with the NIP", "F", "F")),
    (scoring.sex, "budi_sby", {"display_name": "Budi", "bio": "ibu dari dua anak"},
     ("sex_mismatch", -0.25, "stated sex contradicts the NIP", "F", "M")),
    (scoring.birth_year, "sri", {"display_name": "Sri", "bio": "lahir 1966"},
     ("birth_year_consistency", 0.05, "stated birth year agrees with the NIP", 1966, 1965)),
    (scoring.birth_year, "sri", {"display_name": "Sri", "bio": "lahir 1990"},
     ("birth_year_mismatch", -0.25, "stated birth year contradicts the NIP", 1990, 1965)),
]


def assert_line(got: tuple | None, expected: tuple | None) -> None:
    if expected is None:
        assert got is None
        return
    assert got is not None
    feature, score, *rest = expected
    assert (got[0], *got[2:]) == (feature, *rest)
    assert got[1] == pytest.approx(score, abs=1e-12)


@pytest.mark.parametrize(("feature", "who", "post", "expected"), QUALIFIER_CASES,
                         ids=[f"{c[0].__name__}-{c[1]}-{i}" for i, c in enumerate(QUALIFIER_CASES)])
def test_qualifier(golden_engine: MatchEngine, feature, who: str, post: dict, expected: tuple | None) -> None:
    assert_line(feature(scorer(golden_engine, **post), golden_engine.find_nip(P[who].nip)), expected)


IDENTIFIER_CASES = [
    (scoring.nip_exact, {"display_name": "Sri", "bio": f"NIP {NIP_SRI}"},
     ("nip_exact", 0.99, "valid PNS number written in the profile", "19650312 199003 2 901", NIP_SRI)),
    (scoring.nip_exact, {"display_name": "Info", "text": f"NIP {NIP_SRI}"},
     ("nip_exact", 0.92, "valid PNS number written in the content", "19650312 199003 2 901", NIP_SRI)),
    (scoring.handle_exact, {"handle": "bu_sriwahyu"},
     ("handle_exact", 0.95, "author handle equals a registered handle", "instagram:bu_sriwahyu",
      "instagram:bu_sriwahyu")),
    (scoring.handle_exact, {"source": "x", "handle": "lain", "bio": "IG: @bu_sriwahyu"},
     ("handle_exact", 0.90, "profile link in the bio equals a registered handle", "instagram:bu_sriwahyu",
      "instagram:bu_sriwahyu")),
    (scoring.handle_other_platform, {"source": "x", "handle": "bu_sriwahyu"},
     ("handle_other_platform", 0.45, "same username registered on another platform", "x:bu_sriwahyu",
      "instagram:bu_sriwahyu")),
    (scoring.handle_other_platform, {"handle": "bu_sriwahyu"}, None),  # the exact handle wins
    (scoring.nip_exact, {"handle": "bu_sriwahyu"}, None),
]


@pytest.mark.parametrize(("feature", "post", "expected"), IDENTIFIER_CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(IDENTIFIER_CASES)])
def test_identifier(golden_engine: MatchEngine, feature, post: dict, expected: tuple | None) -> None:
    s = scorer(golden_engine, **post)
    pid = golden_engine.find_nip(NIP_SRI)
    reasons = candidates(s.query).get(pid)
    assert reasons is not None
    assert_line(feature(s, pid, reasons), expected)


COMMONNESS_CASES = [
    # (similarity, holders, corroborated) -> score: unique adds, common subtracts per doubling, capped
    ((1.0, 1, False), 0.03),
    ((0.9, 1, False), 0.0),  # not close enough to count as the unique holder
    ((1.0, 8, False), -0.18),
    ((1.0, 8, True), 0.0),  # corroborated: several holders are the ambiguity rule's matter
    ((1.0, 1024, False), -0.25),
]


@pytest.mark.parametrize(("args", "expected"), COMMONNESS_CASES)
def test_name_commonness(golden_engine: MatchEngine, args: tuple, expected: float) -> None:
    _, holders, _ = args
    line = scoring.name_commonness(scorer(golden_engine, display_name="Sri Wahyuningsih"), *args)
    text = f"nama ini dimiliki \u00b1{holders:,} ASN".replace(",", ".")
    assert_line(line, ("name_commonness", expected, text, "sri wahyuningsih", holders))


def test_name_similarity_and_conflict(golden_engine: MatchEngine) -> None:
    s = scorer(golden_engine, display_name="Sri Wahyuningsih")
    assert_line(scoring.name_similarity(s, 1.0, "sri wahyuningsih"),
                ("name_similarity", 0.6, "name similarity 1.00", "sri wahyuningsih", "sri wahyuningsih"))
    from_handle = scorer(golden_engine, handle="sri.wahyuningsih")
    assert from_handle.name_weight == pytest.approx(0.6 * 0.85)
    pid = golden_engine.find_nip(NIP_SRI)
    s = scorer(golden_engine, display_name="Pejuang Demokrasi", bio=f"NIP {NIP_SRI}")
    assert_line(scoring.name_conflict(s, 0.1, candidates(s.query)[pid], "sri wahyuningsih"),
                ("name_conflict", -0.15, "display name does not resemble the registry name", "pejuang demokrasi",
                 "sri wahyuningsih"))
    # A NIP quoted in the post is often about someone else: no conflict with the author's name.
    s = scorer(golden_engine, display_name="Pejuang Demokrasi", text=f"NIP {NIP_SRI}")
    assert scoring.name_conflict(s, 0.1, candidates(s.query)[pid], "sri wahyuningsih") is None


def test_only_the_features_a_query_holds_evidence_for_are_asked(golden_engine: MatchEngine) -> None:
    assert scorer(golden_engine, display_name="Sri").corroboration == []
    s = scorer(golden_engine, display_name="Sri", bio="Guru, ibu dari dua anak, Kota Semarang")
    assert s.corroboration == [scoring.region, scoring.role] and s.consistency == [scoring.sex]


def test_the_explanation_adds_up_to_the_score(golden_engine: MatchEngine) -> None:
    """Name path: the score is the sum of its explanation lines (the same table makes both)."""
    rec = record(display_name="Sri Wahyuningsih", bio="Guru SMP Negeri 5 Semarang, ibu dari dua anak, lahir 1965")
    [m] = [m for m in golden_engine.match(rec) if m.nip == NIP_SRI]
    assert {f.feature for f in m.explanation} >= {"name_similarity", "unit_corroboration", "role_corroboration",
                                                   "sex_consistency", "birth_year_consistency", "name_commonness"}
    assert m.score == pytest.approx(min(1.0, sum(f.score for f in m.explanation)), abs=2e-4)


def test_weights_come_from_the_configuration() -> None:
    engine = MatchEngine.from_rows([p.row() for p in PLANTED], "w",
                                   config=MatchConfig(weights={"role": 0.1, "content_factor": 0.5}))
    assert_line(scoring.role(scorer(engine, display_name="Sri", text="para guru"), engine.find_nip(NIP_SRI)),
                ("role_corroboration", 0.05, "role or workplace type named", "guru", "Guru Ahli Madya"))


@pytest.mark.parametrize("bad", [{"threshold": 0.7, "weights": {"name": 0.7}},  # a name alone would be `match`
                                 {"threshold": 0.70},  # name + unique + sex + birth agreeing reach 0.70: still a name
                                 {"weights": {"regency": -0.1}},  # a corroboration must add
                                 {"weights": {"agency_mismatch": 0.05}},  # a mismatch must subtract
                                 {"weights": {"surprise": 1}}])
def test_bad_weights_are_rejected(bad: dict) -> None:
    with pytest.raises(ValidationError):
        MatchConfig.model_validate(bad)
