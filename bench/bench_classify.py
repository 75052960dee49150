"""Classifier throughput on one core over a realistic mix, with baselines measured in the same run.

Mix: our annotated items (posts, comments, likes/shares with targets, photos with captions) plus, if
present in ../shared/data (read in place, text only): the real 2019 election tweets, the real 2024 dev
posts and 150 long news articles of the stance set. Baselines:
plain normalisation (tokenise + normalise every field) and a naive regex classifier (contestant names
near a support verb). Ratios against them survive noisy machines better than absolute numbers.
"""
from __future__ import annotations

import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

from services.classify import training_data
from services.classify.domain.classifier import Classifier
from services.classify.domain.config import REPO_ROOT
from services.classify.domain.normalise import normalise_text
from services.classify.evaluate import SHARED
from shared.schemas import ContentRecord

DATA = REPO_ROOT / "tests" / "classify_data"
TWEETS = SHARED / "pilpres2019-tweet-sentiment" / "train.csv"
ARTICLES = SHARED / "id-stance-political-figures" / "dataset_stance_2_label_2018_building_by_rini.csv"
NAIVE = re.compile(r"\b(pilih|coblos|dukung)\b.{0,30}\b(anies|prabowo|ganjar|gibran|mahfud|amin|0[123])\b", re.I)


def _mix() -> list[ContentRecord]:
    records = []
    for split in ("dev", "test", "train"):
        for line in (DATA / f"{split}.jsonl").read_text().splitlines():
            row = json.loads(line)
            row.pop("labels", None)
            records.append(ContentRecord.model_validate(row))
    if TWEETS.exists():
        with open(TWEETS, newline="", encoding="utf-8") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                records.append(ContentRecord(source="x", external_id=f"tw{i}", text=row["text"]))
    real = training_data.real_dev() or []
    records.extend(ex.record for ex in real)  # real 2024 posts and debate comments
    records.extend(_articles())
    return records


def _articles(limit: int = 150) -> list[ContentRecord]:
    """Long news articles (the stance set, read in place): a few KB each, the window's worst case."""
    if not ARTICLES.exists():
        return []
    out = []
    with open(ARTICLES, newline="", encoding="utf-8-sig") as fh:
        for i, row in enumerate(csv.DictReader(fh, delimiter=";")):
            if i >= limit:
                break
            text = f"{row['Judul Artikel']}.\n{row['Isi Artikel']}"[:20000]
            out.append(ContentRecord(source="blog", external_id=f"art{i}", text=text))
    return out


def _fields(rec: ContentRecord) -> list[str]:
    out = [rec.text]
    if rec.target and rec.target.text:
        out.append(rec.target.text)
    for m in rec.media:
        out.extend(x for x in (m.caption, m.ocr_text) if x)
    return out


def _rate(fn, items, seconds: float) -> tuple[float, float]:
    """Items per second over whole passes of ``items`` lasting at least ``seconds``; and that time."""
    n, start = 0, time.perf_counter()
    while True:
        for it in items:
            fn(it)
        n += len(items)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed, elapsed


def offline(records: list[ContentRecord], n: int = 6000) -> dict:
    """``pantau classify`` on n records as a fresh process: start-up (imports, config, model) included."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as fh:
            for i in range(n):
                rec = records[i % len(records)].model_copy(update={"external_id": f"bench-{i}"})
                fh.write(rec.model_dump_json() + "\n")
        pantau = os.path.join(os.path.dirname(sys.executable), "pantau")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([pantau, "classify", "--in", src, "--out", dst], check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with open(dst, encoding="utf-8") as fh:
            assert sum(1 for _ in fh) == n
    return {"offline_items": n, "offline_wall_s": round(wall, 2), "offline_cpu_s": round(cpu, 2),
            "offline_items_per_s_wall": round(n / wall), "offline_items_per_s_cpu": round(n / cpu)}


def run(quick: bool) -> dict:
    seconds = 0.5 if quick else 3.0
    clf = Classifier.from_config()
    items = _mix()
    for it in items[:200]:  # warm caches (normalisation lru_cache) the way a running worker has them
        clf.classify(it)
    cpu0 = time.process_time()
    classify_rate, elapsed = _rate(clf.classify, items, seconds)
    cpu_share = (time.process_time() - cpu0) / elapsed  # < 1 when other processes took the core
    norm_rate, _ = _rate(lambda r: [normalise_text(t) for t in _fields(r)], items, seconds)
    regex_rate, _ = _rate(lambda r: any(NAIVE.search(t) for t in _fields(r)), items, seconds)
    mean_chars = sum(sum(len(t) for t in _fields(r)) for r in items) / len(items)
    return {
        "items_in_mix": len(items),
        "mean_chars_per_item": round(mean_chars, 1),
        "classify_items_per_s": round(classify_rate),
        "baseline_normalise_items_per_s": round(norm_rate),
        "baseline_regex_items_per_s": round(regex_rate),
        "ratio_classify_to_normalise": round(classify_rate / norm_rate, 3),
        "ratio_classify_to_regex": round(classify_rate / regex_rate, 4),
        "cpu_share_during_measure": round(cpu_share, 2),
        "target_items_per_s": 5000,
        "meets_target": classify_rate >= 5000,
        **offline(items),
        "offline_target_items_per_s": 4000,
        "model_version": clf.model_version,
    }


if __name__ == "__main__":
    print(json.dumps(run(quick=True), indent=2))
