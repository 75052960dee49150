"""Election config: the shipped files load; broken files fail with file, path and reason."""
from __future__ import annotations

import pathlib

import pytest

from services.classify.domain.config import DEFAULT_DIR, load_elections
from shared.config_paths import ConfigError

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_shipped_config_loads_active_only_by_default():
    cfg = load_elections()
    ids = {c.id for _, _, c in cfg.contestants()}
    assert {"capres-01", "capres-02", "capres-03"} <= ids
    parties = sorted(i for i in ids if i.startswith("partai-"))
    assert len(parties) == 18 and "partai-24" in parties
    assert "cagub-jakarta-03" in ids  # the Pilkada example is config only
    assert not any(i.startswith("capres2019") for i in ids)  # archived 2019 is inactive


def test_inactive_file_loads_when_named():
    cfg = load_elections([DEFAULT_DIR / "pilpres-2019.yaml"])
    assert {c.id for _, _, c in cfg.contestants()} == {"capres2019-01", "capres2019-02"}


def test_proxy_figures_file_is_valid():
    load_elections([REPO / "tests" / "classify_data" / "proxy-figures.yaml"])


BROKEN = [
    ("election: [", "not valid YAML"),
    ("- just a list", "top level must be a mapping"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: Capres-1, race: r, name: A, names: [a]}]", "contestants.0.id"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: nope, name: A, names: [a]}]", "race 'nope'"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, name: A, accounts: [prabowo]}]", "platform:handle"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, ballot_number: 1, name: A, names: [a]}, {id: c-2, race: r, ballot_number: 1, name: B, names: [b]}]",
     "ballot number 1 already used"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, name: A, names: [a], parties: [partai-99]}]", "not a loaded contestant"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, name: A, nmaes: [a]}]", "nmaes"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, name: A, names: [a], gestures: {emoji_combos: [\"✌️\"]}}]",
     "two or more emoji"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, name: A, names: [a], gestures: {emoji_combos: [\"✌️ tiga\"]}}]",
     "two or more emoji"),
    ("schema: pantau.election/v1\nelection: {id: x, name: X}\nraces: [{id: r, name: R}]\n"
     "contestants: [{id: c-1, race: r, name: A, names: [a], gestures: {emoji_combos: [\"✌️☝️\"]}},"
     " {id: c-2, race: r, name: B, names: [b], gestures: {emoji_combos: [\"✌☝\"]}}]", "already used by c-1"),
]


@pytest.mark.parametrize("content,expected", BROKEN)
def test_broken_files_name_file_path_and_reason(tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as exc:
        load_elections([path])
    message = str(exc.value)
    assert str(path) in message and expected in message


def test_duplicate_ids_across_files(tmp_path):
    body = ("schema: pantau.election/v1\nelection: {id: %s, name: X}\nraces: [{id: %s, name: R}]\n"
            "contestants: [{id: same-1, race: %s, name: A, names: [a]}]")
    (tmp_path / "a.yaml").write_text(body % ("e-a", "r-a", "r-a"))
    (tmp_path / "b.yaml").write_text(body % ("e-b", "r-b", "r-b"))
    with pytest.raises(ConfigError, match="already defined"):
        load_elections(tmp_path)


def test_new_race_needs_no_code(tmp_path):
    """A 2029 file dropped next to the others is classified without any code change."""
    (tmp_path / "2029.yaml").write_text(
        "schema: pantau.election/v1\nelection: {id: pemilu-2029, name: Pemilu 2029, context_terms: [pilpres]}\n"
        "races: [{id: pilpres-2029, name: Pilpres 2029, numbers_default: true, context_terms: [capres]}]\n"
        "contestants: [{id: capres2029-01, race: pilpres-2029, ballot_number: 1, name: Budi Contoh,"
        " names: [budi contoh], hashtags: [budicontoh2029]}]\n")
    from services.classify.domain.classifier import Classifier
    from shared.schemas import ContentRecord

    clf = Classifier.from_config(tmp_path)
    res = clf.classify(ContentRecord(source="x", external_id="1", text="pokoknya coblos Budi Contoh, pilpres 2029!"))
    assert res.partisan and res.stance[0].contestant == "capres2029-01"
