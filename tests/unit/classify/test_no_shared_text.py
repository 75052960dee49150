"""No text from ../shared/data is in the repository: labels are keyed by id, texts are read in place.

Every tracked file is compared with the real posts, the crawl, the 2019 tweets and the stance articles
by runs of nine words; a shared run of nine words is a copy (generic runs such as a candidate list are
shorter). Skipped with a message when ../shared/data is absent."""
from __future__ import annotations

import csv
import json
import re
import subprocess

import pytest

from services.classify.domain.config import REPO_ROOT
from services.classify.training_data import SHARED

RUN = 9
SOURCES = {
    "pemilu2024-real-posts/dev.jsonl": lambda p: (json.loads(x)["content"]["text"] for x in p.open(encoding="utf-8")),
    "pemilu2024-tweets-unlabelled/tweets.csv": lambda p: (r["text"] for r in csv.DictReader(p.open(encoding="utf-8"))),
    "pilpres2019-tweet-sentiment/tweet_original.csv": lambda p: (r["tweet"] for r in csv.DictReader(p.open(encoding="utf-8"))),
    "id-stance-political-figures/dataset_stance_2_label_2018_building_by_rini.csv":
        lambda p: (r["Isi Artikel"] for r in csv.DictReader(p.open(encoding="utf-8-sig"), delimiter=";")),
}


def runs(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


@pytest.mark.skipif(not (SHARED / "pemilu2024-real-posts" / "dev.jsonl").exists(), reason=f"{SHARED} not found")
def test_no_tracked_file_holds_a_run_of_shared_text():
    shared: set[str] = set()
    for name, read in SOURCES.items():
        path = SHARED / name
        if path.exists():
            for text in read(path):
                shared |= runs(text or "")
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert len(shared) > 100_000 and len(tracked) > 100  # the comparison is not vacuous
    copies = {}
    for name in tracked:
        path = REPO_ROOT / name
        if path.suffix in (".png", ".jpg", ".gz") or not path.is_file():
            continue
        try:
            found = runs(path.read_text(encoding="utf-8")) & shared
        except UnicodeDecodeError:
            continue
        if found:
            copies[name] = sorted(found)[:2]
    assert not copies, copies
