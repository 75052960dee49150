"""Labelled examples for ``make train`` and ``make eval``: our own sets and the real posts read in place.

- ``tests/classify_data/train.jsonl``: our templated train split (content records with labels).
- ``tests/classify_data/real/``: labels we made for real 2024 campaign tweets (keyed by the crawl's ``id``;
  the texts stay in ``../shared/data/pemilu2024-tweets-unlabelled`` and are read from there), and
  debate-style comments and replies written by us (``OWN_COMMENTS``, our own texts).
- ``../shared/data/pemilu2024-real-posts/dev.jsonl``: the labelled real dev half, for evaluation only.
"""
from __future__ import annotations

import csv
import json
import os
import pathlib
from collections import Counter
from dataclasses import dataclass

from services.classify.domain.config import REPO_ROOT
from shared.schemas import ContentRecord

DATA = REPO_ROOT / "tests" / "classify_data"
REAL = DATA / "real"
LABELS = REAL / "labels"
UNSURE_WEIGHT = 0.5  # an item its annotator was unsure of counts half


def shared_data() -> pathlib.Path:
    """``../shared/data`` beside the repository (also from a worktree one level deeper), or PANTAU_SHARED_DATA."""
    if os.environ.get("PANTAU_SHARED_DATA"):
        return pathlib.Path(os.environ["PANTAU_SHARED_DATA"])
    for base in (REPO_ROOT.parent, REPO_ROOT.parent.parent):
        if (base / "shared" / "data").is_dir():
            return base / "shared" / "data"
    return REPO_ROOT.parent / "shared" / "data"


SHARED = shared_data()
TWEETS = SHARED / "pemilu2024-tweets-unlabelled" / "tweets.csv"
REAL_DEV = SHARED / "pemilu2024-real-posts" / "dev.jsonl"


@dataclass(frozen=True)
class Example:
    record: ContentRecord
    stance: frozenset[tuple[str, str]]  # {(contestant, "support"|"oppose")}; empty = not partisan
    weight: float
    origin: str  # templated | real-tweets | own-comments

    @property
    def partisan(self) -> bool:
        return bool(self.stance)


def parse_stance(value: str) -> frozenset[tuple[str, str]]:
    """``capres-02+;capres-03-`` -> {("capres-02", "support"), ("capres-03", "oppose")}."""
    out = set()
    for code in filter(None, (v.strip() for v in value.split(";"))):
        if code[-1] not in "+-":
            raise ValueError(f"stance code {code!r} must end with + or -")
        out.add((code[:-1], "support" if code[-1] == "+" else "oppose"))
    return frozenset(out)


def read_labels(paths) -> dict[str, tuple[bool, frozenset, str]]:
    """id -> (partisan, stance, confidence) from label TSVs (``id, partisan, stance, confidence``)."""
    out = {}
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 4 or parts[1] not in ("0", "1") or parts[3] not in ("sure", "unsure"):
                raise ValueError(f"{path.name}:{n}: expected id, 0|1, stance, sure|unsure")
            stance = parse_stance(parts[2])
            if (parts[1] == "1") != bool(stance):
                raise ValueError(f"{path.name}:{n}: a stance is given exactly when partisan is 1")
            out[parts[0]] = (parts[1] == "1", stance, parts[3])
    return out


LABEL_PASSES = {  # name -> files, in the order they were made (DATA_CARD.md tells how)
    "pass1": "pass1-*.tsv", "pass2": "pass2-*.tsv", "adjudicated": "adjudicated.tsv",
    "rev1": "rev1-*.tsv", "rev2": "rev2-*.tsv", "rev-adjudicated": "rev-adjudicated.tsv",
}


def label_pass(name: str) -> dict[str, tuple[bool, frozenset, str]]:
    return read_labels(sorted(LABELS.glob(LABEL_PASSES[name])))


def real_tweet_labels() -> dict[str, tuple[bool, frozenset, str]]:
    """The final label of every annotated tweet: the revision pass (under the final guide), replaced by the
    adjudication where its blind second pass disagreed."""
    final = label_pass("rev1")
    final.update(label_pass("rev-adjudicated"))
    return final


def agreement(a: str, b: str) -> dict:
    """Two label passes over the same tweets: raw agreement and Cohen's kappa on partisan, stance sets."""
    first, second = label_pass(a), label_pass(b)
    common = sorted(set(first) & set(second))
    if not common:
        return {"items": 0}
    x = [first[i][0] for i in common]
    y = [second[i][0] for i in common]
    po = sum(p == q for p, q in zip(x, y)) / len(common)
    pa, pb = sum(x) / len(x), sum(y) / len(y)
    pe = pa * pb + (1 - pa) * (1 - pb)
    both = [i for i in common if first[i][0] and second[i][0]]
    return {"items": len(common), "partisan_agreement": round(po, 3),
            "partisan_kappa": round((po - pe) / (1 - pe), 3) if pe < 1 else 1.0,
            "stance_sets_equal_when_both_partisan": f"{sum(first[i][1] == second[i][1] for i in both)}/{len(both)}"}


def real_tweets() -> list[Example]:
    """Annotated crawl tweets with their texts read in place; [] when ../shared is absent."""
    if not TWEETS.exists():
        return []
    labels = real_tweet_labels()
    with TWEETS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # One upstream id names 581 different tweets (a hash collision in the crawl): a label keyed by it is no label.
    seen = Counter(row["id"] for row in rows)
    out = []
    for row in rows:
        lab = labels.get(row["id"])
        if lab is None or seen[row["id"]] > 1:
            continue
        rec = ContentRecord(source="x", external_id=f"crawl:{row['id']}", kind="post", text=row["text"])
        out.append(Example(rec, lab[1], 1.0 if lab[2] == "sure" else UNSURE_WEIGHT, "real-tweets"))
    out.sort(key=lambda e: e.record.external_id)
    return out


# Comments written by us (helpers briefed with the guide, never shown ../shared): file -> the source they imitate.
OWN_COMMENTS = {"debate_comments.tsv": "youtube", "polarity_comments_a.tsv": "youtube", "polarity_comments_b.tsv": "x"}


def own_comments() -> list[Example]:
    """Our own debate-style comments and replies (``id, partisan, stance, text`` per line)."""
    out = []
    for name, source in OWN_COMMENTS.items():
        path = REAL / name
        if not path.exists():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            cid, partisan, stance, text = line.split("\t", 3)
            st = parse_stance(stance)
            if (partisan == "1") != bool(st):
                raise ValueError(f"{name}:{n}: a stance is given exactly when partisan is 1")
            rec = ContentRecord(source=source, external_id=cid, kind="post", text=text)
            out.append(Example(rec, st, 1.0, "own-comments"))
    return out


def templated(split: str = "train") -> list[Example]:
    out = []
    for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels = row.pop("labels")
        st = frozenset((s["contestant"], s["polarity"]) for s in labels["stance"]) if labels["partisan"] else frozenset()
        out.append(Example(ContentRecord.model_validate(row), st, 1.0, "templated"))
    return out


def real_dev_rows() -> list[dict] | None:
    """The labelled real dev half as its rows (``case_id, content, label, collection``), None when ../shared is absent."""
    if not REAL_DEV.exists():
        return None
    return [json.loads(line) for line in REAL_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def real_dev() -> list[Example] | None:
    """The labelled real dev half (evaluation only) as examples, None when ../shared is absent."""
    rows = real_dev_rows()
    if rows is None:
        return None
    return [Example(ContentRecord.model_validate(row["content"]),
                    frozenset((s["contestant"], s["polarity"]) for s in row["label"]["stance"]) if row["label"]["partisan"]
                    else frozenset(), 1.0, row.get("collection", "?")) for row in rows]


def training_set() -> list[Example]:
    return templated("train") + real_tweets() + own_comments()
