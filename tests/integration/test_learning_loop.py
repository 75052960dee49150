"""Issue 21 on the real stack: analysts' verdicts teach the classifier, and the running classify service
switches to a promoted model without a restart.

The posts the shipped model misses are "sigma"/"aura" praise (internet slang it has never seen); they reach
the analysts as public reports (``extra.report_channel``), whatever the model says.
"""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from services.classify import learning, retrain, training_data
from services.classify.domain.classifier import Classifier
from shared.mongo import connect
from shared.schemas import content_id_for
from tests.integration.conftest import alerts_json, run_cli, unique, wait_for
from tests.integration.test_pipeline import api, submit

pytestmark = pytest.mark.integration

# (author handle on x, text, contestant the analyst confirms as supported)
MISSED = [
    ("bambang_ht", "gibran sigma 🗿", "capres-02"),
    ("rizkypratama_", "prabowo sigma male 🗿", "capres-02"),
    ("agus_setia82", "anies mode sigma 🗿 rapi banget", "capres-01"),
    ("andiarief_smd", "mas gibran paling sigma di debat tadi 🗿", "capres-02"),
    ("bambang_ht", "gibran emang sigma sih 🗿🗿", "capres-02"),
    ("rizkypratama_", "sigma moment pak prabowo di debat 🗿", "capres-02"),
    ("agus_setia82", "ganjar auranya kelihatan 🗿", "capres-03"),
    ("andiarief_smd", "aura pak anies beda 🗿", "capres-01"),
    ("bambang_ht", "prabowo +1000 aura", "capres-02"),
    ("rizkypratama_", "gibran +9999 aura 🗿", "capres-02"),
]
FALSE_ALARMS = [("agus_setia82", "wowo ngalir terus sampe istana, ngeri banget jamnya"),
                ("andiarief_smd", "gibran makin ngegas, jos gandos mas")]
WRONG_PERSON = ("hendra_gunawan", "Coblos 02 ya! Prabowo-Gibran satu putaran #PrabowoGibran2024")
SAME_KIND = ("bambang_ht", "pak ganjar sigma banget 🗿")


def post(handle: str, text: str, external_id: str, reported: bool = False) -> dict:
    record = {"source": "x", "external_id": external_id, "kind": "post", "text": text,
              "url": f"https://x.com/{handle}/status/1", "author": {"handle": handle}}
    return {**record, "extra": {"report_channel": "whatsapp"}} if reported else record


def case_of(record: dict, timeout: float = 60) -> dict:
    content_id = content_id_for("x", record["external_id"])
    [alert] = wait_for(lambda: [a for a in alerts_json() if a["content"]["content_id"] == content_id], timeout,
                       f"the alert for {record['text']!r}")
    return alert


def examples_export(tmp_path, name: str) -> list[dict]:
    path = tmp_path / name
    run_cli("classify", "examples", "--out", str(path))
    return [json.loads(line) for line in path.read_text().splitlines()]


def models() -> dict:
    return json.loads(run_cli("classify", "models", "--json").stdout)


def test_verdicts_retrain_and_a_promotion_reaches_the_running_service(pipeline, settings, tmp_path):
    stack = pipeline["stack"]
    classify_pid = stack.service("classify").pid()
    shipped_version = models()["active"]
    analysts = [run_cli("agency", "key", "create", "BKN", "--role", "analyst", "--label", label).stdout.strip()
                for label in ("analis-loop-a", "analis-loop-b")]

    # Fixed ids: which examples are held out (a hash of the post) is then the same every run (3 of the misses).
    missed = [post(h, t, f"verdict-missed-{i}", reported=True) for i, (h, t, _) in enumerate(MISSED)]
    alarms = [post(h, t, f"verdict-alarm-{i}") for i, (h, t) in enumerate(FALSE_ALARMS)]
    wrong = post(*WRONG_PERSON, unique("wrong"))
    submit(tmp_path, missed + alarms + [wrong])

    # The shipped model misses them; reported by the public, they still reach the analysts.
    missed_cases = [case_of(r) for r in missed]
    assert all(not a["classification"]["partisan"] for a in missed_cases)
    assert {a["classification"]["model_version"] for a in missed_cases} == {
        Classifier.from_config().model_version}
    for i, (alert, (_, _, contestant)) in enumerate(zip(missed_cases, MISSED)):
        status, body = api(settings, "POST", f"/v1/cases/{alert['alert_id']}/verify", analysts[i % 2], {
            "reason": "pujian slang untuk paslon", "stance": [{"contestant": contestant, "polarity": "support"}],
            "form": "social_media_campaign"})
        assert status == 200, body
    for record in alarms:
        alert = case_of(record)
        assert alert["classification"]["partisan"]
        status, body = api(settings, "POST", f"/v1/cases/{alert['alert_id']}/reject", analysts[1],
                           {"reason": "bukan dukungan, hanya komentar", "ground": "not_partisan"})
        assert status == 200, body

    # "Not this person" is a matching error: the training data stay exactly as they were.
    before = examples_export(tmp_path, "before.jsonl")
    wrong_case = case_of(wrong)
    status, _ = api(settings, "POST", f"/v1/cases/{wrong_case['alert_id']}/reject", analysts[0],
                    {"reason": "akun orang lain", "ground": "not_this_person"})
    assert status == 200
    assert examples_export(tmp_path, "after.jsonl") == before
    mine = {a["alert_id"] for a in missed_cases} | {r["case_id"] for r in before if r["verdict"] == "not_partisan"}
    assert {r["case_id"] for r in before} >= mine and wrong_case["alert_id"] not in {r["case_id"] for r in before}
    assert sum(r["verdict"] == "verified" and r["case_id"] in mine for r in before) == len(MISSED)

    report_path = tmp_path / "report.md"
    trained = json.loads(run_cli("classify", "retrain", "--json", "--min-new", "5", "--report", str(report_path),
                                 timeout=900).stdout)
    version = trained["_id"]
    assert trained["trained_on"]["analysts"] == len(trained["example_ids"])
    held = {a["alert_id"] for a in missed_cases if learning.held_out(a["content"]["content_id"])}
    assert len(held) == 3 and held <= set(trained["held_out_ids"])
    assert mine - held <= set(trained["example_ids"])
    assert wrong_case["alert_id"] not in trained["example_ids"] + trained["held_out_ids"]
    report = report_path.read_text()
    for heading in ("test split", "real dev half", "held-out examples", "## Changed decisions", "## Features that moved"):
        assert heading in report, heading

    promoted = run_cli("classify", "promote", version, "--by", "operator-uji", check=False, timeout=600)
    assert promoted.returncode == 0, promoted.stderr
    try:
        assert models()["active"] == version
        time.sleep(settings.classify_model_check_s + 2)  # a batch after the next check uses the new model
        new = post(*SAME_KIND, unique("same-kind"))
        submit(tmp_path, [new], "new.jsonl")
        alert = case_of(new)
        assert alert["classification"]["partisan"] is True
        assert version in alert["classification"]["model_version"]
        assert stack.service("classify").pid() == classify_pid  # no restart
        _, case = api(settings, "GET", f"/v1/cases/{alert['alert_id']}", analysts[0])
        assert version in case["classification"]["model_version"]
        # Re-classifying old posts happens only when asked: reported posts already went to match.
        replayed = json.loads(run_cli("classify", "replay", "--since", time.strftime("%Y-%m-%d", time.gmtime()),
                                      "--dry-run", "--json").stdout)
        assert replayed["model_version"] == alert["classification"]["model_version"]
        assert not {a["content"]["content_id"] for a in missed_cases} & set(replayed["now_partisan"])
        history = models()["history"]
        assert history[-1]["by"] == "operator-uji" and history[-1]["version"] == version
    finally:  # the rest of the suite runs on the shipped model
        run_cli("classify", "rollback", "--reason", "akhir uji")
    assert models()["active"] == shipped_version


def flipped(clf: Classifier) -> list[training_data.Example]:
    """Our train split with every label turned over: partisan posts as neutral, and every contestant a neutral
    post names as backed or attacked (in turn)."""
    out = []
    for i, ex in enumerate(training_data.templated("train")):
        side = ("support", "oppose")[i % 2]
        stance = frozenset() if ex.partisan else frozenset((c, side) for c in clf.target_examples(ex.record))
        out.append(training_data.Example(ex.record, stance, ex.weight, ex.origin))
    return out


def test_promotion_refuses_a_candidate_worse_on_a_fixed_set_and_force_is_audited(stack, settings):
    shipped = Classifier.from_config()

    async def train_flipped() -> dict:
        client, db = connect(settings)
        try:
            return await retrain.retrain(db, shipped, "uji-terbalik", base=lambda: flipped(shipped))
        finally:
            await client.close()

    bad = asyncio.run(train_flipped())["_id"]
    active = models()["active"]
    refused = run_cli("classify", "promote", bad, check=False, timeout=600)
    assert refused.returncode == 2
    assert "refused" in refused.stderr and "test split: F1" in refused.stderr
    assert models()["active"] == active

    forced = run_cli("classify", "promote", bad, "--force", "--reason", "uji audit", "--by", "operator-uji",
                     check=False, timeout=600)
    try:
        assert forced.returncode == 0, forced.stderr
        assert models()["history"][-1]["forced"] is True

        async def audit() -> list[dict]:
            client, db = connect(settings)
            try:
                return await db["audit"].find({"action": "classify.promote.forced", "version": bad}).to_list(None)
            finally:
                await client.close()

        [entry] = asyncio.run(audit())
        assert entry["actor"] == "operator-uji" and entry["worse"]
    finally:
        run_cli("classify", "rollback")
    assert models()["active"] == active
