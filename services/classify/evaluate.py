"""Evaluation of the classifier (``make eval``): our annotated set, the real 2024 posts and the proxy sets.

Reports precision/recall/F1 for partisan-or-not, the hard-negative flag rate, stance accuracy (overall
and per contestant), form accuracy and confusion tables on tests/classify_data/{dev,test}.jsonl; the
real 2024 dev half (precision, recall, F1, false alarms on non-partisan posts, stance on the hits, per
collection, and a sample of errors); every combination of rules and trained components; then the 2019
election tweets and the stance articles. Everything under ../shared/data is read in place (nothing from
it is copied into the repo) and skipped with a message when absent.
Tune on dev only; the test split is for the final figures.
"""
from __future__ import annotations

import argparse
import ast
import csv
import json
import sys
import time
from collections import Counter, defaultdict

from services.classify.domain.classifier import Classifier
from services.classify.domain.config import DEFAULT_DIR, REPO_ROOT
from services.classify import training_data
from services.classify.training_data import REAL_DEV, SHARED
from services.classify.training_data import real_dev_rows as load_real
from shared.schemas import ContentRecord

DATA = REPO_ROOT / "tests" / "classify_data"



def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def evaluate_annotated(clf: Classifier, split: str, show_errors: bool = False, origin: str | None = None) -> dict:
    rows = [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    if origin:
        rows = [r for r in rows if r["labels"].get("origin", "handwritten") == origin]
    per_form = defaultdict(lambda: [0, 0])
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
            per_form[labels["form"]][0] += 1
            per_form[labels["form"]][1] += int(res.form == labels["form"])
            if show_errors and (not ok or res.form != labels["form"]):
                errors.append(("STANCE/FORM", labels, res, rec))
        elif res.partisan and show_errors:
            errors.append(("FALSE POSITIVE", labels, res, rec))
        if gold and not res.partisan and show_errors:
            errors.append(("MISSED", labels, res, rec))
    out = {
        "split": split + (f" ({origin})" if origin else ""),
        "items": len(rows),
        "partisan": prf(tp, fp, fn) | {"tn": tn},
        "hard_negatives": {"items": hard_total, "flagged": hard_flagged,
                           "flag_rate": round(hard_flagged / hard_total, 3) if hard_total else 0.0},
        "flag_rate_by_group": {g: f"{v[1]}/{v[0]}" for g, v in sorted(per_group.items())},
        "stance_accuracy": round(stance_ok / gold_pos, 3) if gold_pos else 0.0,
        "stance_exact_set": round(stance_exact / gold_pos, 3) if gold_pos else 0.0,
        "stance_by_contestant": {c: f"{v[1]}/{v[0]}" for c, v in sorted(per_contestant.items())},
        "form_accuracy": round(form_ok / form_total, 3) if form_total else 0.0,
        "form_by_gold_form": {f: f"{v[1]}/{v[0]}" for f, v in sorted(per_form.items())},
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


def cohen_kappa(a: list, b: list) -> float:
    """Cohen's kappa of two label lists over the same items."""
    n = len(a)
    if not n:
        return 0.0
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return round((po - pe) / (1 - pe), 3) if pe < 1 else 1.0


def agreement() -> dict:
    """The second, blind label pass (second_pass.tsv) against the first labels, on the same items."""
    path = DATA / "second_pass.tsv"
    if not path.exists():
        return {"skipped": f"{path} not found"}
    first = {}
    for split in ("dev", "test"):
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            first[row["external_id"]] = row["labels"]
    a_p, b_p, a_f, b_f, stance_same, both_pos = [], [], [], [], 0, 0
    by_origin = Counter()
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    for r in rows:
        g = first[r["external_id"]]
        a_p.append(g["partisan"])
        b_p.append(r["partisan"] == "true")
        a_f.append(g["form"])
        b_f.append(r["form"])
        by_origin[g.get("origin", "handwritten")] += 1
        if g["partisan"] and r["partisan"] == "true":
            both_pos += 1
            gs = {f"{s['contestant']}{'+' if s['polarity'] == 'support' else '-'}" for s in g["stance"]}
            stance_same += int(gs == set(r["stance"].split(";")))
    return {"items": len(rows), "by_origin": dict(by_origin),
            "partisan_agreement": round(sum(x == y for x, y in zip(a_p, b_p)) / len(rows), 3),
            "partisan_kappa": cohen_kappa(a_p, b_p),
            "form_agreement": round(sum(x == y for x, y in zip(a_f, b_f)) / len(rows), 3),
            "form_kappa": cohen_kappa(a_f, b_f),
            "stance_set_agreement_when_both_partisan": f"{stance_same}/{both_pos}",
            "form_disagreements": dict(Counter(f"{x} vs {y}" for x, y in zip(a_f, b_f) if x != y).most_common())}


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


def score_real(clf: Classifier, rows: list[dict]) -> tuple[dict, list[tuple[str, dict, object]]]:
    """Partisan P/R/F1, false alarms on non-partisan posts and stance on the hits, overall and per collection."""
    totals: dict[str, Counter] = defaultdict(Counter)
    errors = []
    for row in rows:
        res = clf.classify(ContentRecord.model_validate(row["content"]))
        gold = bool(row["label"]["partisan"])
        gold_set = {(s["contestant"], s["polarity"]) for s in row["label"]["stance"]}
        for key in ("all", row.get("collection", "?")):
            c = totals[key]
            c["items"] += 1
            c["tp"] += gold and res.partisan
            c["fp"] += (not gold) and res.partisan
            c["fn"] += gold and not res.partisan
            c["neg"] += not gold
            if gold and res.partisan:
                c["stance_ok"] += any((s.contestant, s.polarity) in gold_set for s in res.stance)
        if res.partisan != gold:
            errors.append(("MISSED" if gold else "FALSE ALARM", row, res))
        elif gold and not any((s.contestant, s.polarity) in gold_set for s in res.stance):
            errors.append(("WRONG STANCE", row, res))
    out = {}
    for key, c in totals.items():
        out[key] = prf(c["tp"], c["fp"], c["fn"]) | {
            "items": c["items"], "false_alarm_rate": round(c["fp"] / c["neg"], 3) if c["neg"] else 0.0,
            "stance_accuracy": round(c["stance_ok"] / c["tp"], 3) if c["tp"] else 0.0}
    return out, errors


def evaluate_real(clf: Classifier, show_errors: int = 0) -> dict:
    """The real dev half: the figures the acceptance targets name, and a sample of errors when asked."""
    rows = load_real()
    if rows is None:
        return {"skipped": f"{REAL_DEV} not found: the real dev half is read in place from ../shared/data"}
    out, errors = score_real(clf, rows)
    if show_errors:
        for kind, row, res in errors[:show_errors]:
            gold = [(s["contestant"], s["polarity"]) for s in row["label"]["stance"]]
            print(f"--- {kind} {row['case_id']} gold={gold} pred={[(s.contestant, s.polarity, s.score) for s in res.stance]}"
                  f" score={res.score}")
            print(f"    {row['content']['text'][:200]!r}")
            print(f"    evidence: {[(e.cue, e.text, e.weight) for e in res.evidence][:6]}")
    return out


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


def combinations(shipped: Classifier) -> dict:
    """Every way the rules and the trained components can decide, on the real dev half and our test split.

    rules alone; rules with the older lexical model in their grey zone; the target model alone (the rules
    only listing the other contestants once it takes a side); the target model with the rules (``shipped``:
    the shipped model, or the stored version evaluated)."""
    from services.classify.domain import lexical, target_model
    from services.classify.domain.config import Decision

    config = shipped.config
    target = shipped.target or target_model.TargetModel.load()
    modes = {"rules alone": Classifier(config, "eval"),
             "rules + lexical model (grey zone)": Classifier(config, "eval", lexical.LexicalModel.load())}
    if target is not None:
        alone = Classifier(config, "eval", None, target)
        alone.decision = Decision(p_partisan=alone.decision.p_partisan, rule_sure=1.0, p_floor=alone.decision.p_floor)
        combined = Classifier(config, "eval", None, target)
        modes |= {"target model alone": alone, "target model + rules (shipped)": combined}
    rows = load_real()
    out = {}
    for name, clf in modes.items():
        test = evaluate_annotated(clf, "test")
        entry = {"test_f1": test["partisan"]["f1"], "test_hard_negative_fp": test["hard_negatives"]["flag_rate"]}
        if rows is not None:
            real, _ = score_real(clf, rows)
            a = real["all"]
            entry |= {"real_f1": a["f1"], "real_precision": a["precision"], "real_recall": a["recall"],
                      "real_false_alarms": a["false_alarm_rate"], "real_stance": a["stance_accuracy"]}
        out[name] = entry
    return out


def markdown(report: dict) -> str:
    """The summary tables of the README's classify section."""
    lines = ["| set | items | precision | recall | F1 | hard-negative FP | stance acc. | form acc. |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in ("dev", "dev_handwritten", "dev_templated", "test", "test_handwritten", "test_templated"):
        r = report.get(key)
        if not r:
            continue
        p, h = r["partisan"], r["hard_negatives"]
        lines.append(f"| {r['split']} | {r['items']} | {p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f} | "
                     f"{h['flag_rate']:.3f} ({h['flagged']}/{h['items']}) | {r['stance_accuracy']:.3f} | {r['form_accuracy']:.3f} |")
    for key in ("pilpres2019_tweets_test", "pilpres2019_tweets_train"):
        t = report.get(key, {})
        if "partisan_vs_neutral" in t:
            p = t["partisan_vs_neutral"]
            neutral = t["flagged_by_label"].get("netral", "0/0")
            a, b = (int(x) for x in neutral.split("/"))
            lines.append(f"| {t['file']} (positif/negatif vs netral) | {p['tp'] + p['fp'] + p['fn'] + p['tn']} | "
                         f"{p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f} | {a / b if b else 0:.3f} (netral flagged) | – | – |")
    art = report.get("stance_articles", {})
    if "articles" in art:
        lines.append(f"| stance articles (for/against a figure) | {art['articles']} | – | – | – | – | "
                     f"{art['accuracy_when_stance_given']:.3f} on {art['stance_coverage']:.0%} covered | – |")
    test = report.get("test")
    if test:
        lines += ["", "Per category, test split (flagged partisan / items; `positive` is recall):", "",
                  "| category | flagged |", "| --- | ---: |"]
        lines += [f"| {g} | {v} |" for g, v in test["flag_rate_by_group"].items()]
        lines += ["", "Form, test split (right / partisan items of that gold form):", "", "| form | right |", "| --- | ---: |"]
        lines += [f"| {f} | {v} |" for f, v in test["form_by_gold_form"].items()]
    real = report.get("real_dev", {})
    if "all" in real:
        lines += ["", "Real 2024 posts, dev half (../shared/data/pemilu2024-real-posts, read in place):", "",
                  "| collection | items | precision | recall | F1 | false alarms | stance on hits |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for key, r in sorted(real.items(), key=lambda kv: (kv[0] != "all", kv[0])):
            lines.append(f"| {key} | {r['items']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                         f"{r['false_alarm_rate']:.3f} | {r['stance_accuracy']:.3f} |")
    comb = report.get("combinations", {})
    if comb:
        lines += ["", "How the rules and the trained components decide together:", "",
                  "| combination | real F1 | real false alarms | real stance | test F1 | test hard-negative FP |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for name, c in comb.items():
            lines.append(f"| {name} | {c.get('real_f1', float('nan')):.3f} | {c.get('real_false_alarms', float('nan')):.3f} | "
                         f"{c.get('real_stance', float('nan')):.3f} | {c['test_f1']:.3f} | {c['test_hard_negative_fp']:.3f} |")
    real_agr = report.get("real_annotation_agreement", {})
    if real_agr:
        lines += ["", "Real tweets we annotated (tests/classify_data/real/DATA_CARD.md; AI annotators, blind passes): " + "; ".join(
            f"{k}: kappa {v['partisan_kappa']} on {v['items']} items" for k, v in real_agr.items() if v.get("items"))
            + "."]
    agr = report.get("agreement", {})
    if "items" in agr:
        lines += ["", f"Second label pass: {agr['items']} items, partisan kappa {agr['partisan_kappa']}, form kappa "
                      f"{agr['form_kappa']}, stance sets {agr['stance_set_agreement_when_both_partisan']} "
                      "(same annotator, blind; see tests/classify_data/DATA_CARD.md)."]
    return "\n".join(lines)


def stored_version(version: str) -> Classifier:
    """The shipped rules with a stored target model (``make eval MODEL=VERSION``)."""
    import asyncio

    from services.classify.models import ModelStore, classifier_for
    from shared.mongo import connect
    from shared.settings import get_settings

    async def load() -> Classifier:
        client, db = connect(get_settings())
        try:
            return await classifier_for(ModelStore(db), Classifier.from_config(), version)
        finally:
            await client.close()

    try:
        return asyncio.run(load())
    except LookupError as exc:
        raise SystemExit(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "test", "both"], default="both")
    parser.add_argument("--errors", action="store_true", help="print every misclassified item (use on dev)")
    parser.add_argument("--no-proxies", action="store_true", help="skip the ../shared/data proxy sets")
    parser.add_argument("--real-errors", type=int, default=20, metavar="N",
                        help="print N misclassified real dev posts (0: none)")
    parser.add_argument("--json", action="store_true", help="one JSON document instead of the readable report")
    parser.add_argument("--model", metavar="VERSION", help="a target model stored by `pantau classify retrain` "
                        "(read from MONGODB_URI), instead of the shipped one; `pantau classify models` lists them")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    clf = stored_version(args.model) if args.model else Classifier.from_config()
    report: dict = {"model_version": clf.model_version}
    for split in (["dev", "test"] if args.split == "both" else [args.split]):
        report[split] = evaluate_annotated(clf, split, args.errors)
        for origin in ("handwritten", "templated"):
            report[f"{split}_{origin}"] = evaluate_annotated(clf, split, False, origin)
    report["agreement"] = agreement()
    report["real_annotation_agreement"] = {f"{a} vs {b}": training_data.agreement(a, b)
                                            for a, b in (("pass1", "pass2"), ("rev1", "rev2"), ("pass1", "rev1"))}
    report["real_dev"] = evaluate_real(clf, args.real_errors)
    report["combinations"] = combinations(clf)
    if not args.no_proxies:
        report["pilpres2019_tweets_test"] = evaluate_tweets("test")
        report["pilpres2019_tweets_train"] = evaluate_tweets("train")
        report["stance_articles"] = evaluate_articles()
    report["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    for key, value in report.items():
        print(f"== {key}")
        if isinstance(value, dict):
            for k, v in value.items():
                print(f"   {k}: {v}")
        else:
            print(f"   {value}")
    print("\n== summary (markdown, as in the README)\n")
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
