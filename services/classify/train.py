"""``make train``: fit the trained components and write their JSON artefacts.

- the target model (``artefacts/target-lr.json``): our train split, the annotated real tweets (texts read
  in place from ../shared/data) and our debate-style comments (``services/classify/training_data.py``);
- the older record-level lexical model (``artefacts/lexical-lr.json``) on tests/classify_data/train.jsonl.

Deterministic: the train split is fixed, features are sorted, the solver (liblinear) runs with a
fixed seed, weights are rounded to 4 decimals and written with sorted keys, so the same inputs give
the same bytes (``--check`` verifies that the committed artefact is what this code produces).
scikit-learn is needed only here (a dev dependency); the service reads the JSON in pure Python.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys

from collections import Counter

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from services.classify import training_data
from services.classify.domain import lexical, target_model
from services.classify.domain.classifier import Classifier
from services.classify.domain.config import REPO_ROOT
from shared.schemas import ContentRecord

DATA = REPO_ROOT / "tests" / "classify_data"
C = 0.5  # inverse regularisation: chosen on dev (see DATA_CARD.md), never on test
MIN_DF = 2
SEED = 0
TARGET_C = 0.1  # inverse regularisation of the target model's members: chosen on the real dev half, never on test
TARGET_C_WORDS = 0.3
POLARITY_OWN_WEIGHT = 3.0  # our direction-teaching comments in the polarity model (2: stance 0.79, 3 and 5: 0.80 on dev)
PRUNE_BELOW = 0.02  # weights this small change no decision on the real dev half or our test split: left out of the artefact


def load_split(split: str) -> list[tuple[ContentRecord, bool]]:
    rows = []
    for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels = row.pop("labels")
        rows.append((ContentRecord.model_validate(row), bool(labels["partisan"])))
    return rows


def record_features(clf: Classifier, rec: ContentRecord) -> set[str]:
    _, fields = clf._classify(rec)
    labels = [lab for m in rec.media[:clf.window.max_media] for lab in m.labels[:64]]
    return lexical.features(fields, labels, rec.kind, rec.source)


def fit(clf: Classifier, rows, c: float = C) -> dict:
    X, names = _matrix([dict.fromkeys(record_features(clf, r), 1) for r, _ in rows])
    X = X.tocsr()
    X.indices = X.indices.astype("int32")  # liblinear takes 32-bit sparse indices only
    X.indptr = X.indptr.astype("int32")
    y = [int(g) for _, g in rows]
    model = LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000)
    model.fit(X, y)
    weights = {n: round(float(w), 4) for n, w in zip(names, model.coef_[0]) if abs(w) >= 0.005}
    return {"bias": round(float(model.intercept_[0]), 4), "weights": dict(sorted(weights.items()))}


def target_rows(clf: Classifier, examples) -> tuple[list[dict], list[int], list[float], list[str], int]:
    """One row per (example, contestant it names): features, class (0 none, 1 support, 2 oppose), weight, origin.

    Also counts the gold stances whose contestant the rules do not find at all (the model cannot see them)."""
    X, y, w, origins, unseen = [], [], [], [], 0
    for ex in examples:
        per_target = clf.target_examples(ex.record)
        gold = dict(ex.stance)
        unseen += sum(1 for c in gold if c not in per_target)
        for cid, feats in sorted(per_target.items()):
            X.append(feats)
            y.append(target_model.CLASSES.index(gold[cid]) if cid in gold else 0)
            w.append(ex.weight)
            origins.append(ex.origin)
    return X, y, w, origins, unseen


def _matrix(X: list[dict]):
    """A sparse matrix over the features seen in at least MIN_DF rows (sorted), and their names."""
    df: dict[str, int] = {}
    for feats in X:
        for f in feats:
            df[f] = df.get(f, 0) + 1
    keep = {f for f, n in df.items() if n >= MIN_DF}
    vec = DictVectorizer(sparse=True, sort=True)
    M = vec.fit_transform([{f: n for f, n in feats.items() if f in keep} for feats in X])
    return M, [str(n) for n in vec.get_feature_names_out()]


def _fit_side(X: list[dict], y: list[int], w: list[float], c: float) -> tuple[dict, list]:
    """Side taken or not (none/support/oppose): multinomial. Unrounded."""
    M, names = _matrix(X)
    side = LogisticRegression(C=c, solver="lbfgs", max_iter=3000, tol=1e-6)
    side.fit(M, y, sample_weight=w)
    return {n: [float(side.coef_[k][j]) for k in range(3)] for j, n in enumerate(names)}, [float(b) for b in side.intercept_]


def _fit_polarity(X: list[dict], y: list[int], w: list[float], c: float) -> tuple[dict, float]:
    """Which way, once a side is taken: fitted on the partisan targets alone (balanced), so that the many "none"
    rows do not decide it. Unrounded."""
    sided = [i for i, yi in enumerate(y) if yi]
    M, names = _matrix([X[i] for i in sided])
    pol = LogisticRegression(C=c, solver="lbfgs", max_iter=3000, tol=1e-6, class_weight="balanced")
    pol.fit(M, [int(y[i] == 2) for i in sided], sample_weight=[w[i] for i in sided])
    return {n: float(v) for n, v in zip(names, pol.coef_[0])}, float(pol.intercept_[0])


def fit_target(clf: Classifier, examples, rows=None) -> dict:
    """The target model. Side taken or not: the average of two members, one over every feature (C=TARGET_C)
    and one without the character n-grams (C=TARGET_C_WORDS); averaging two linear models is one linear model
    (the mean of their logits), so it costs nothing at run time and steadies what either learns alone.
    Which way: one binary model over every feature, our own comments weighing POLARITY_OWN_WEIGHT. Neither reads
    which contestant is named (the post's words mask the references, ``target_model.post_features``).
    Rounded, pruned weights.

    Classes are weighted inversely to their frequency: the crawl backs one pair far more often than it
    attacks anyone, and the model must not learn that a named contestant is usually supported."""
    X, y, raw_w, origins, unseen = rows or target_rows(clf, examples)
    # One BLAS thread, whatever imported numpy first: the solver's sums then run in one order, so the same
    # data give the same weights (an environment variable is read only when numpy loads, which may be earlier).
    with threadpool_limits(limits=1):
        return _fit_target(X, y, raw_w, origins, unseen)


def _fit_target(X, y, raw_w, origins, unseen) -> dict:
    total = [sum(wi for wi, yi in zip(raw_w, y) if yi == k) for k in range(3)]
    w = [wi * sum(total) / (3 * total[yi]) for wi, yi in zip(raw_w, y)]
    words_only = [{f: n for f, n in feats.items() if not f.startswith("c:")} for feats in X]
    members = [_fit_side(X, y, w, TARGET_C), _fit_side(words_only, y, w, TARGET_C_WORDS)]
    half = 1.0 / len(members)
    weights: dict[str, list[float]] = {}
    for m_weights, _ in members:
        for f, col in m_weights.items():
            acc = weights.setdefault(f, [0.0, 0.0, 0.0])
            for k in range(3):
                acc[k] += half * col[k]
    weights = {f: [round(v, 4) for v in col] for f, col in weights.items() if max(abs(v) for v in col) >= PRUNE_BELOW}
    # our comments were written to teach which way (doubt, sarcasm, "walaupun ..., tapi ...", defences)
    pw = [wi * (POLARITY_OWN_WEIGHT if o == "own-comments" else 1.0) for wi, o in zip(raw_w, origins)]
    polarity, polarity_bias = _fit_polarity(X, y, pw, TARGET_C)
    polarity = {f: round(v, 4) for f, v in polarity.items() if abs(v) >= PRUNE_BELOW}
    bias = [round(sum(half * m[1][k] for m in members), 4) for k in range(3)]
    return {"bias": bias, "weights": dict(sorted(weights.items())),
            "polarity_bias": round(polarity_bias, 4), "polarity": dict(sorted(polarity.items())),
            "rows": len(X), "unseen_gold_targets": unseen}


def _stored(weight: float) -> int:
    """A weight already rounded to 4 decimals, as the integer count of ten-thousandths the artefact keeps."""
    return round(weight * target_model.WEIGHT_SCALE)


def target_artefact_bytes(clf: Classifier) -> bytes:
    examples = training_data.training_set()
    if not any(ex.origin == "real-tweets" for ex in examples):
        raise SystemExit(f"{training_data.TWEETS} not found: the target model is trained on the annotated real tweets "
                         "read in place from ../shared/data (set PANTAU_SHARED_DATA to where it is)")
    return target_artefact(clf, examples)


def target_artefact(clf: Classifier, examples) -> bytes:
    """The artefact's bytes for a training set: the shipped one, or a candidate with the analysts' examples
    (``services.classify.retrain``); its version names the data and the fitted weights, so the same examples
    and code give the same version, and a change of either a new one."""
    fitted = fit_target(clf, examples)
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(f"{ex.record.external_id}\t{ex.record.text}\t{sorted(ex.stance)}\t{ex.weight}\n".encode())
    origins = Counter(ex.origin for ex in examples)
    fitted["weights"] = {f: [_stored(v) for v in col] for f, col in fitted["weights"].items()}
    fitted["polarity"] = {f: _stored(v) for f, v in fitted["polarity"].items()}
    # The version names the data and the fit: new features or rules on the same data give a new version.
    fit = hashlib.sha256(json.dumps([fitted["bias"], fitted["weights"], fitted["polarity_bias"], fitted["polarity"]],
                                    sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:8]
    doc = {"schema": "pantau.target-model/v2", "version": f"target-lr-1+data.{digest.hexdigest()[:12]}.fit.{fit}",
           "weight_scale": target_model.WEIGHT_SCALE,
           "classes": list(target_model.CLASSES),
           "trained_on": {k: origins[k] for k in sorted(origins)} | {"rows": fitted.pop("rows"),
                                                                      "unseen_gold_targets": fitted.pop("unseen_gold_targets")},
           "features": "per named contestant: rule scores and reference kinds, words around its references, the post's "
                       "words, character 3-5-grams and shape (services/classify/domain/target_model.py)",
           "solver": f"scikit-learn LogisticRegression lbfgs; side (multinomial): mean of all features C={TARGET_C} and "
                     f"without character n-grams C={TARGET_C_WORDS}; polarity (binary): all features; min_df={MIN_DF}; "
                     f"unsure labels weigh {training_data.UNSURE_WEIGHT}; classes balanced; our comments weigh "
                     f"{POLARITY_OWN_WEIGHT} in the polarity model", **fitted}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def artefact_bytes(clf: Classifier) -> bytes:
    rows = load_split("train")
    fitted = fit(clf, rows)
    digest = hashlib.sha256((DATA / "train.jsonl").read_bytes()).hexdigest()[:12]
    doc = {"schema": "pantau.lexical-model/v1", "version": f"lexical-lr-1+train.{digest}",
           "trained_on": f"tests/classify_data/train.jsonl ({len(rows)} items, sha256 {digest})",
           "features": "binary word, word-pair and character 3-4-gram features (services/classify/domain/lexical.py)",
           "solver": f"scikit-learn LogisticRegression liblinear C={C} min_df={MIN_DF} seed={SEED}", **fitted}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=0) + "\n").encode("utf-8")


def _artefacts(clf: Classifier):
    """(path, bytes) of every artefact, built in turn; the target model's compact form follows its JSON."""
    yield lexical.ARTEFACT, artefact_bytes(clf)
    data = target_artefact_bytes(clf)
    yield target_model.ARTEFACT, data
    yield target_model.COMPACT, target_model.compact_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed artefact differs from a fresh build")
    args = parser.parse_args(argv)
    clf = Classifier.from_config(use_model=False)
    status = 0
    for path, data in _artefacts(clf):
        if args.check:
            same = path.exists() and path.read_bytes() == data
            print(f"{path.relative_to(REPO_ROOT)}: {'identical' if same else 'DIFFERS from a fresh build'}")
            status |= 0 if same else 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        n = f"{len(json.loads(data)['weights'])} weights, " if path.suffix == ".json" else ""
        print(f"wrote {path.relative_to(REPO_ROOT)}: {n}{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}")
    return status


if __name__ == "__main__":
    sys.exit(main())
