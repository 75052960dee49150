from __future__ import annotations

import json
from array import array
from itertools import accumulate

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from services.match.domain.engine import MatchConfig, MatchEngine, _Builder, load_config
from services.match.domain.gazetteer import normalize_text, roles_in
from services.match.domain.generator import generate_rows
from services.match.domain.reference import ROLE_SYNONYMS, ROLE_WORDS
from services.match.domain.registry_csv import iter_registry
from shared.schemas import ContentRecord

from .golden import P


def record(**author) -> ContentRecord:
    return ContentRecord.model_validate({"source": author.pop("source", "instagram"), "external_id": "t1",
                                         "text": author.pop("text", "coblos 02"), "author": author})


def test_excluded_pair_is_suppressed(golden_engine: MatchEngine) -> None:
    rec = record(handle="budi.santoso80")
    [first] = golden_engine.match(rec)
    assert first.nip == P["budi_bantul"].nip and first.band == "match"
    key = golden_engine.author_key(rec)
    assert key == "instagram:budi.santoso80"
    assert golden_engine.match(rec, excluded=frozenset({(first.nip, key)})) == []
    # A judgement about another author does not suppress this one.
    assert golden_engine.match(rec, excluded=frozenset({(first.nip, "instagram:other")}))


def test_explanations_carry_values(golden_engine: MatchEngine) -> None:
    [m] = [m for m in golden_engine.match(record(display_name="Budi Santoso", bio="Guru SDN 3 Kasihan, Pemkab Bantul"))
           if m.nip == P["budi_bantul"].nip]
    features = {f.feature: f for f in m.explanation}
    assert features["name_similarity"].query_value == "budi santoso"
    assert features["unit_corroboration"].candidate_value == "SD Negeri 3 Kasihan"
    assert features["agency_corroboration"].candidate_value == "PEMKAB-3402"
    assert m.subject and m.subject.agency_code == "PEMKAB-3402"


def test_author_key_without_handle(golden_engine: MatchEngine) -> None:
    assert golden_engine.author_key(record(display_name="Dra. Sri Wahyuningsih")) == "name:sri wahyuningsih"


def test_build_paths_agree(golden_engine: MatchEngine, tmp_path) -> None:
    from .conftest import golden_rows
    rows = golden_rows()[-40:]
    path = tmp_path / "reg.csv"
    import csv
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow("nip,name,birth_date,gender,agency_code,agency_name,unit,position,province_code,regency_code,handles".split(","))
        writer.writerows(rows)
    persons = [p for p in iter_registry(path)]
    docs = [p.model_dump(mode="json") | {"_id": p.nip} for p in persons]
    engines = [MatchEngine.build(persons, "v"), MatchEngine.from_documents(docs, "v"), MatchEngine.from_csv(path, "v")]
    rec = record(display_name="Made Suartana", bio="PUPR Kabupaten Badung")
    results = [[(m.nip, m.band, m.score) for m in e.match(rec)] for e in engines]
    assert results[0] == results[1] == results[2] and results[0]
    assert engines[2].person(0) == persons[0]


def test_config_is_validated(tmp_path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("threshold: 0.5\n")
    with pytest.raises(ValidationError):
        load_config(bad)
    bad.write_text("threshold: 0.8\nsurprise: 1\n")
    with pytest.raises(ValidationError):
        load_config(bad)
    assert load_config().threshold == MatchConfig().threshold
    assert MatchConfig(threshold=0.9).review_threshold == pytest.approx(0.6)


def test_cli_match_and_generate(tmp_path) -> None:
    from pantau.app import build_app
    app = build_app()
    runner = CliRunner()
    reg = tmp_path / "reg.csv"
    result = runner.invoke(app, ["registry", "generate", "--count", "2000", "--seed", "9", "--out", str(reg)])
    assert result.exit_code == 0, result.output
    import csv
    with reg.open(newline="") as handle:
        row = list(csv.reader(handle))[5]
    lines = [
        {"source": "x", "external_id": "a", "text": f"NIP {row[0]}", "author": {"display_name": "Anonim"}},
        {"source": "x", "external_id": "b", "text": "halo", "author": {"display_name": "Tidak Ada"}},
        {"oops": True},
    ]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["match", "--registry", str(reg), "--in", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = [json.loads(x) for x in out.read_text().splitlines()]
    assert [g["external_id"] for g in got] == ["a", "b", None]
    assert got[0]["matches"][0]["nip"] == row[0] and got[0]["matches"][0]["band"] == "match"
    assert set(got[0]["matches"][0]) >= {"nip", "band", "score", "explanation"}
    assert got[1]["matches"] == [] and "error" in got[2]
    assert got[0]["registry_version"].startswith("csv-")


def _plain_table(hashes: array, pids: array) -> tuple[array, array, array]:
    """(offsets, postings, tags) by one counting sort over the whole table."""
    buckets = 1 << max(10, (max(len(hashes), 1) - 1).bit_length())
    mask = buckets - 1
    counts = array("I", bytes(4 * (buckets + 1)))
    for h in hashes:
        counts[h & mask] += 1
    ends = array("I", accumulate(counts))
    postings, tags = array("I", bytes(4 * len(hashes))), array("H", bytes(2 * len(hashes)))
    for h, pid in zip(hashes, pids):
        b = h & mask
        ends[b] -= 1
        postings[ends[b]], tags[ends[b]] = pid, h >> 48 & 0xFFFF
    return ends, postings, tags


@pytest.mark.parametrize("count", [0, 40, 30_000])  # no postings, part of one slice, several slices
def test_table_is_a_counting_sort_by_bucket(count: int) -> None:
    builder = _Builder()
    builder.add_many((*row[:10], [tuple(h.split(":", 1)) for h in row[10].split(";") if ":" in h])
                     for row in generate_rows(count, seed=5))
    hashes, pids = array("q", builder.hashes), array("I", builder.pids)
    engine = MatchEngine(builder, "v", MatchConfig())
    assert (engine._offsets, engine._postings, engine._tags) == _plain_table(hashes, pids)


def test_roles_are_the_role_words_present() -> None:
    texts = {text for row in generate_rows(3_000, seed=5) for text in row[6:8]}
    texts |= {"", "Guru", "Gurunya", "Satpol PP Kota", "Kepala Sekolah SDN 1", "Pamong Praja"}
    for text in texts:
        norm = normalize_text(text)
        expected = {word for word in ROLE_WORDS if f" {word} " in norm}
        expected |= {role for synonym, role in ROLE_SYNONYMS.items() if f" {synonym} " in norm}
        if " guru " in norm or norm.startswith(" guru"):
            expected.add("guru")
        assert roles_in(text) == expected, text


def _registry_with(common: int, rare: tuple[str, ...]) -> MatchEngine:
    """A background plus ``common`` people sharing given name "Warga" and a few rare full names."""
    rows = [r for r in generate_rows(3000, seed=5)]
    base = rows[0]
    extra = []
    for i in range(common):
        nip = f"{base[0][:14]}{base[0][14]}{900 + i:03d}"
        extra.append((nip, f"Warga {['Rahman', 'Santoso', 'Hidayat', 'Lestari', 'Pratama'][i % 5]}", *base[2:]))
    for i, name in enumerate(rare):
        nip = f"{base[0][:14]}{base[0][14]}{800 + i:03d}"
        extra.append((nip, name, *base[2:]))
    return MatchEngine.from_rows(rows[1:] + extra, registry_version="rarity", config=MatchConfig())


@pytest.mark.parametrize(("display_name", "bio", "expect_candidates"), [
    ("Warga", None, False),  # one common name part: nobody in particular
    ("Warga", "Relawan, dukung 02", False),
    ("warga", None, False),
    ("Warga Rahman", None, False),  # 60 hold "Warga", 12 "Warga Rahman": common full name
    ("Zulkarnaen Tjokrosuprapto", None, True),  # held by one person: rare enough for review
])
def test_rarity_gate_without_corroboration(display_name, bio, expect_candidates) -> None:
    engine = _registry_with(60, ("Zulkarnaen Tjokrosuprapto",))
    results = engine.match(record(display_name=display_name, bio=bio))
    assert bool(results) == expect_candidates, results
    assert all(m.band == "review" for m in results)
    for m in results:
        [commonness] = [f for f in m.explanation if f.feature == "name_commonness"]
        assert commonness.detail.startswith("nama ini dimiliki ±")


def test_single_name_with_corroboration_can_be_reviewed() -> None:
    engine = _registry_with(3, ())
    person = engine.person(engine.find_nip(f"{generate_rows(1, seed=5).__next__()[0][:15]}900"))
    results = engine.match(record(display_name="Warga", bio=f"{person.unit}, {person.agency_name}"))
    assert results and all(m.band == "review" for m in results)
