"""The target model: a reproducible artefact, features from the classifier's own tokens, and a decision
that keeps the rules' evidence. Retraining reads the annotated tweets in place (skipped without ../shared)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from services.classify import training_data
from services.classify.domain import target_model
from services.classify.domain.classifier import Classifier
from services.classify.domain.config import REPO_ROOT, Decision
from shared.schemas import ContentRecord


@pytest.fixture(scope="module")
def rules() -> Classifier:
    return Classifier.from_config(use_model=False)


def rec(text: str) -> ContentRecord:
    return ContentRecord(source="x", external_id="t", text=text)


@pytest.mark.skipif(not training_data.TWEETS.exists(), reason=f"{training_data.TWEETS} not found (read in place)")
def test_make_train_rebuilds_the_committed_artefacts_bit_for_bit():
    """As `make train --check` runs it: in a fresh process, so nothing this test session loaded (numpy's thread
    pool, forked workers) can change the solver's sums."""
    pytest.importorskip("sklearn")
    done = subprocess.run([sys.executable, "-m", "services.classify.train", "--check"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("identical") == 3, done.stdout


def test_artefact_is_versioned_json_that_says_what_it_was_trained_on():
    doc = json.loads(target_model.ARTEFACT.read_text(encoding="utf-8"))
    assert doc["schema"] == "pantau.target-model/v2" and doc["weight_scale"] == target_model.WEIGHT_SCALE and doc["version"].startswith("target-lr-1+data.")
    assert doc["classes"] == ["none", "support", "oppose"]
    assert {"real-tweets", "templated", "own-comments"} <= set(doc["trained_on"])
    assert target_model.ARTEFACT.stat().st_size < 3_000_000


def test_the_compact_form_loads_the_json_model_and_only_for_the_json_it_was_written_for(tmp_path):
    raw = target_model.ARTEFACT.read_bytes()
    assert target_model.COMPACT.read_bytes() == target_model.compact_bytes(raw)  # as `make train` writes it
    from_json = target_model.TargetModel.from_json(raw.decode("utf-8"))
    loaded = target_model.TargetModel.load()
    assert loaded == from_json and list(loaded.weights) == list(from_json.weights)
    # a JSON changed after the compact form was written: the JSON is read, the stale compact form is not
    doc = json.loads(raw)
    doc["version"] += "-edited"
    path = tmp_path / "target-lr.json"
    path.write_text(json.dumps(doc))
    path.with_suffix(".bin").write_bytes(target_model.COMPACT.read_bytes())
    assert target_model.TargetModel.load(path).version == doc["version"]


def test_labels_files_are_well_formed_and_hold_no_text():
    for path in sorted(training_data.LABELS.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            assert len(fields) == 4 and fields[0].startswith("t") and len(fields[0]) == 13, (path.name, line)
    labels = training_data.real_tweet_labels()
    assert len(labels) > 4_000


@pytest.mark.parametrize("value, stance", [
    ("capres-02+;capres-03-", {("capres-02", "support"), ("capres-03", "oppose")}),
    ("partai-12+", {("partai-12", "support")}),
    ("", set()),
])
def test_stance_codes(value, stance):
    assert training_data.parse_stance(value) == stance


def test_features_are_per_contestant_and_mask_the_others(rules):
    per = rules.target_examples(rec("Prabowo keren, Anies ngawur"))
    assert set(per) == {"capres-01", "capres-02"}
    assert "r:keren" in per["capres-02"] and "r:ngawur" in per["capres-01"]
    assert "l:<o>" in per["capres-01"]  # the other contestant, masked, left of Anies
    assert per["capres-01"]["w:keren"] == per["capres-02"]["w:keren"] == 1.0  # the post's words are shared


def test_a_repeated_word_counts_at_most_twice(rules):
    per = rules.target_examples(rec("Prabowo " + "mantap " * 50))
    assert per["capres-02"]["w:mantap"] == target_model.MAX_REPEAT


def test_without_the_model_nothing_is_taken_that_the_rules_do_not_take(rules):
    clf = Classifier.from_config()
    clf.decision = Decision(p_partisan=0.99, rule_sure=0.7, p_floor=0.0)  # the model alone almost never decides
    text = "coblos 02 Prabowo-Gibran!"
    assert clf.classify(rec(text)).partisan == rules.classify(rec(text)).partisan is True
    assert not clf.classify(rec("Prabowo tadi malam di televisi")).partisan
