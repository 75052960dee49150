"""The trained lexical component: reproducible artefact, pure-Python scoring, and the grey-zone rule."""
from __future__ import annotations

import json

import pytest

from services.classify import train
from services.classify.domain import lexical
from services.classify.domain.classifier import Classifier
from services.classify.domain.weights import RESCUE_FROM
from shared.schemas import ContentRecord


def rec(text: str, **kw) -> ContentRecord:
    return ContentRecord.model_validate({"source": kw.pop("source", "x"), "external_id": "t", "text": text, **kw})


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return Classifier.from_config(use_model=False)


def test_make_train_rebuilds_the_committed_artefact_bit_for_bit(rules):
    pytest.importorskip("sklearn")
    assert train.artefact_bytes(rules) == lexical.ARTEFACT.read_bytes()


def test_artefact_is_small_versioned_json():
    doc = json.loads(lexical.ARTEFACT.read_text(encoding="utf-8"))
    assert doc["schema"] == "pantau.lexical-model/v1" and doc["version"].startswith("lexical-lr-1+train.")
    assert lexical.ARTEFACT.stat().st_size < 500_000
    model = lexical.LexicalModel.load()
    assert model is not None and model.weights == doc["weights"]


def test_features_come_from_the_classifiers_tokens(rules):
    _, fields = rules._classify(rec("Nyoblos nomer loro!", media=[{"type": "image", "caption": "kaos", "labels": ["V_Sign"]}]))
    feats = lexical.features(fields, ["V_Sign"], "post", "x")
    assert {"tw:coblos", "tw:nomor", "tw:2", "tp:coblos nomor", "mw:kaos", "lw:v sign", "k:post", "s:x"} <= feats
    assert "tc:<cob" in feats


def _with(model_weights: dict, bias: float = 0.0) -> Classifier:
    base = Classifier.from_config(use_model=False)
    return Classifier(base.config, "test", lexical.LexicalModel("lexical-test", bias, model_weights))


def test_grey_zone_veto_names_the_model_features():
    text = "mantap Prabowo"  # a weak rule positive
    rules_only = Classifier.from_config(use_model=False).classify(rec(text))
    assert rules_only.partisan and rules_only.score < 0.7
    clf = _with({"tw:mantap": -9.0}, bias=-1.0)
    out = clf.classify(rec(text))
    assert not out.partisan and out.form == "none" and out.stance == []
    model_ev = [e for e in out.evidence if e.field == "model"]
    assert model_ev[0].cue == "model" and model_ev[0].weight < 0.05
    assert ("model_feature", "tw:mantap") in {(e.cue, e.text) for e in model_ev}
    assert "lexical-test" in out.model_version


def test_grey_zone_rescue_keeps_rule_evidence_and_stance():
    text = "Ganjar. Sopo maneh"
    base = Classifier.from_config(use_model=False)
    rules_only = base.classify(rec(text))
    assert not rules_only.partisan and rules_only.score >= RESCUE_FROM
    out = _with({"tw:sopo": 9.0}).classify(rec(text))
    assert out.partisan and out.stance[0].contestant == "capres-03"
    assert any(e.contestant == "capres-03" and e.field == "text" for e in out.evidence)
    assert any(e.cue == "model_feature" and e.text == "tw:sopo" for e in out.evidence)


def test_model_outside_the_grey_zone_changes_nothing():
    strong = "Pokoknya coblos 02 Prabowo-Gibran!"
    assert _with({"tw:coblos": -50.0}, bias=-10).classify(rec(strong)).partisan
    assert not _with({"tw:cuaca": 50.0}, bias=10).classify(rec("cuaca cerah hari ini")).partisan


def test_default_config_keeps_the_model_off():
    # it did not beat the rules on dev (DATA_CARD.md); classification.model: grey_zone turns it on
    assert Classifier.from_config().model is None
