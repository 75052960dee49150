"""Evaluation of the classifier (``make eval``): our annotated set and the two real proxy sets.

Reports precision/recall/F1 for partisan-or-not, the hard-negative flag rate, stance accuracy (overall
and per contestant), form accuracy and confusion tables on tests/classify_data/{dev,test}.jsonl, then
the figures on the 2019 election tweets and the stance articles in ../shared/data (read in place;
they are not redistributable, so nothing from them is copied into the repo).
Tune on dev only; the test split is for the final figures.
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import pathlib
import sys
import time
from collections import Counter, defaultdict

from services.classify.domain.classifier import Classifier
from services.classify.domain.config import DEFAULT_DIR, REPO_ROOT
from shared.schemas import ContentRecord

DATA = REPO_ROOT / "tests" / "classify_data"
def _shared_data() -> pathlib.Path:
    """``../shared/data`` beside the repository (also from a worktree one level deeper), or PANTAU_SHARED_DATA."""
    if os.environ.get("PANTAU_SHARED_DATA"):
        return pathlib.Path(os.environ["PANTAU_SHARED_DATA"])
    for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent):
        if (base / "shared" / "data").is_dir():
            return base / "shared" / "data"
    return REPO_ROOT.parent / "shared" / "data"


SHARED = _shared_data()


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def evaluate_annotated(clf: Classifier, split: str, show_errors: bool = False) -> dict:
    rows = [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    tp = fp = fn = tn = 0
    hard_total = hard_flagged = 0
    per_group = defaultdict(lambda: [0, 0])
    stance_ok = stance_exact = gold_pos = 0
    per_contestant = defaultdict(lambda: [0, 0])
    form_ok = form_total = 0
    form_conf: Counter = Counter()
    evidence_ok = 0
    errors = []
    for row in rows:
        labels = row.pop("labels")
        rec = ContentRecord.model_validate(row)
        res = clf.classify(rec)
        gold = labels["partisan"]
        group = labels["group"]
        per_group[group][0] += 1
        per_group[group][1] += int(res.partisan)
        if group not in ("positive", "easy_negative"):
            hard_total += 1
            hard_flagged += int(res.partisan)
        if gold and res.partisan:
            tp += 1
        elif res.partisan:
            fp += 1
        elif gold:
            fn += 1
        else:
            tn += 1
        if res.partisan:
            evidence_ok += int(any(e.span is not None or e.field != "text" for e in res.evidence if not e.cue.startswith("frame")))
        if gold:
            gold_pos += 1
            gold_set = {(s["contestant"], s["polarity"]) for s in labels["stance"]}
            pred_set = {(s.contestant, s.polarity) for s in res.stance}
            contradiction = any((c, "oppose" if p == "support" else "support") in pred_set for c, p in gold_set)
            top_ok = bool(res.stance) and (res.stance[0].contestant, res.stance[0].polarity) in gold_set
            ok = res.partisan and top_ok and not contradiction
            stance_ok += int(ok)
            stance_exact += int(res.partisan and pred_set == gold_set)
            for pair in gold_set:
                per_contestant[pair[0]][0] += 1
                per_contestant[pair[0]][1] += int(pair in pred_set)
            form_total += 1
            form_ok += int(res.form == labels["form"])
            form_conf[(labels["form"], res.form)] += 1
            if show_errors and (not ok or res.form != labels["form"]):
                errors.append(("STANCE/FORM", labels, res, rec))
        elif res.partisan and show_errors:
            errors.append(("FALSE POSITIVE", labels, res, rec))
        if gold and not res.partisan and show_errors:
            errors.append(("MISSED", labels, res, rec))
    out = {
        "split": split,
        "items": len(rows),
        "partisan": prf(tp, fp, fn) | {"tn": tn},
        "hard_negatives": {"items": hard_total, "flagged": hard_flagged,
                           "flag_rate": round(hard_flagged / hard_total, 3) if hard_total else 0.0},
        "flag_rate_by_group": {g: f"{v[1]}/{v[0]}" for g, v in sorted(per_group.items())},
        "stance_accuracy": round(stance_ok / gold_pos, 3) if gold_pos else 0.0,
        "stance_exact_set": round(stance_exact / gold_pos, 3) if gold_pos else 0.0,
        "stance_by_contestant": {c: f"{v[1]}/{v[0]}" for c, v in sorted(per_contestant.items())},
        "form_accuracy": round(form_ok / form_total, 3) if form_total else 0.0,
        "form_confusion": {f"{g} -> {p}": n for (g, p), n in sorted(form_conf.items()) if g != p},
        "positives_with_pointing_evidence": f"{evidence_ok}/{tp + fp}",
    }
    if show_errors:
        for kind, labels, res, rec in errors:
            print(f"--- {kind} [{labels['group']}] gold={labels['stance']} {labels['form']} | pred partisan={res.partisan} "
                  f"score={res.score} stance={[(s.contestant, s.polarity, s.score) for s in res.stance]} form={res.form}")
            print(f"    {rec.kind} {rec.source}: {rec.text[:160]!r} target={rec.target.handle if rec.target else None}")
            print(f"    evidence: {[(e.cue, e.text, e.weight) for e in res.evidence][:8]}")
    return out


def evaluate_tweets(split: str = "test") -> dict:
    """2019 tweets: positif/negatif = partisan opinion, netral = not partisan (a sentiment proxy)."""
    path = SHARED / "pilpres2019-tweet-sentiment" / f"{split}.csv"
    if not path.exists():
        return {"skipped": f"{path} not found"}
    clf = Classifier.from_config([DEFAULT_DIR / "pilpres-2019.yaml"])
    tp = fp = fn = tn = 0
    by_label = defaultdict(lambda: [0, 0])
    with open(path, newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            res = clf.classify(ContentRecord(source="x", external_id=f"t{i}", text=row["text"]))
            gold = row["label"] in ("positif", "negatif")
            by_label[row["label"]][0] += 1
            by_label[row["label"]][1] += int(res.partisan)
            tp += gold and res.partisan
            fp += (not gold) and res.partisan
            fn += gold and not res.partisan
            tn += (not gold) and not res.partisan
    return {"file": f"pilpres2019-tweet-sentiment/{split}.csv", "partisan_vs_neutral": prf(tp, fp, fn) | {"tn": tn},
            "accuracy": round((tp + tn) / (tp + fp + fn + tn), 3),
            "flagged_by_label": {k: f"{v[1]}/{v[0]}" for k, v in sorted(by_label.items())}}


TOKOH = {"ahok": "tokoh-ahok", "jokowi": "tokoh-jokowi", "prabowo": "tokoh-prabowo", "ahy": "tokoh-ahy",
         "ridwan kamil": "tokoh-ridwan-kamil"}


def evaluate_articles() -> dict:
    """Stance articles: for/against a named figure. We read the classifier's stance for that figure."""
    path = SHARED / "id-stance-political-figures" / "dataset_stance_2_label_2018_building_by_rini.csv"
    if not path.exists():
        return {"skipped": f"{path} not found"}
    clf = Classifier.from_config([DATA / "proxy-figures.yaml"])
    total = covered = correct_cov = correct_all = partisan_flagged = 0
    by_gold = Counter()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for i, row in enumerate(csv.DictReader(fh, delimiter=";")):
            gold = row["stance final"].strip().lower().replace("againts", "against")
            if gold not in ("for", "against"):
                continue
            try:
                paras = ast.literal_eval(row["Isi Artikel"]) if row["Isi Artikel"].startswith("[") else [row["Isi Artikel"]]
                body = "\n".join(p for p in paras if isinstance(p, str))
            except (ValueError, SyntaxError):
                body = row["Isi Artikel"]
            text = f"{row['Judul Artikel']}.\n{body}"[:20000]
            cid = TOKOH.get(row["Tokoh"].strip().lower())
            res = clf.classify(ContentRecord(source="blog", external_id=f"a{i}", text=text))
            total += 1
            by_gold[gold] += 1
            partisan_flagged += int(res.partisan)
            pol = next((s.polarity for s in res.stance if s.contestant == cid), None)
            pred = {"support": "for", "oppose": "against"}.get(pol)
            if pred is not None:
                covered += 1
                correct_cov += int(pred == gold)
            correct_all += int((pred or "for") == gold)  # no signal -> majority class "for"
    return {"file": "id-stance-political-figures/dataset_stance_2_label_2018_building_by_rini.csv",
            "articles": total, "gold": dict(by_gold), "flagged_partisan": partisan_flagged,
            "stance_coverage": round(covered / total, 3) if total else 0.0,
            "accuracy_when_stance_given": round(correct_cov / covered, 3) if covered else 0.0,
            "accuracy_all_with_majority_fallback": round(correct_all / total, 3) if total else 0.0,
            "majority_baseline": round(by_gold.most_common(1)[0][1] / total, 3) if total else 0.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--errors", action="store_true", help="print every misclassified item (use on dev)")
    parser.add_argument("--no-proxies", action="store_true", help="skip the ../shared/data proxy sets")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the readable report")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    clf = Classifier.from_config()
    report: dict = {"model_version": clf.model_version}
    for split in (["dev", "test"] if args.split == "both" else [args.split]):
        report[split] = evaluate_annotated(clf, split, args.errors)
    if not args.no_proxies:
        report["pilpres2019_tweets_test"] = evaluate_tweets("test")
        report["pilpres2019_tweets_train"] = evaluate_tweets("train")
        report["stance_articles"] = evaluate_articles()
    report["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"== {key}")
            if isinstance(value, dict):
                for k, v in value.items():
                    print(f"   {k}: {v}")
            else:
                print(f"   {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
