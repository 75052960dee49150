"""Choose which tweets of ``../shared/data/pemilu2024-tweets-unlabelled`` are annotated, and in which batch.

Deterministic (a salted hash of each tweet's ``id``), so the batches can be rebuilt and checked. The crawl
was made on the keyword "Prabowo-Gibran", so tweets naming the other pairs are over-sampled (strata by
a few plain name patterns; the patterns only choose what to read, they never label anything).
Writes ``batches/pass1-NN.ids`` (first pass) and ``batches/pass2-NN.ids`` (a blind second pass over a
slice of the first-pass items). Texts are never written: only ids.
"""
from __future__ import annotations

import csv
import hashlib
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
SALT = "pantau-real-2024"
PER_STRATUM = {"01": 400, "03": 400, "01+03": 300, "02-only": 700}
PASS1_BATCHES = 5
# A second round, drawn after the first from the same ranking (the first round's batches stay as they were).
ROUND2_PER_STRATUM = {"01": 150, "03": 150, "01+03": 100, "02-only": 300}
ROUND2_BATCHES = 2
# A third round: what is left of the 01 and 03 strata, the rest from the 02-only stratum.
ROUND3_PER_STRATUM = {"01": 77, "03": 200, "01+03": 200, "02-only": 1623}
ROUND3_BATCHES = 6
PASS2_PER_BATCH = 80  # items of each first-pass batch labelled again, blind, by another annotator
PASS2_BATCHES = 2

_01 = re.compile(r"anies|\bamin\b|imin|muhaimin|\babah\b|\banis\b", re.I)
_03 = re.compile(r"ganjar|mahfud|\bgama\b|pdip|banteng|megawati", re.I)


def stratum(text: str) -> str:
    a, g = bool(_01.search(text)), bool(_03.search(text))
    return "01+03" if a and g else "01" if a else "03" if g else "02-only"


def rank(tweet_id: str) -> str:
    return hashlib.sha256(f"{SALT}:{tweet_id}".encode()).hexdigest()


def main(argv: list[str]) -> int:
    src = pathlib.Path(argv[0]) if argv else HERE.parents[3] / "shared" / "data" / "pemilu2024-tweets-unlabelled" / "tweets.csv"
    if not src.exists():
        print(f"{src} not found: the unlabelled crawl is read in place from ../shared/data", file=sys.stderr)
        return 2
    by_stratum: dict[str, list[str]] = {}
    with src.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            by_stratum.setdefault(stratum(row["text"]), []).append(row["id"])
    chosen, later, third = [], [], []
    for name, n in PER_STRATUM.items():
        ranked = sorted(by_stratum.get(name, []), key=rank)
        chosen += ranked[:n]
        n2 = n + ROUND2_PER_STRATUM[name]
        later += ranked[n:n2]
        third += ranked[n2:n2 + ROUND3_PER_STRATUM[name]]
    chosen.sort(key=lambda i: rank("order:" + i))
    out = HERE / "batches"
    out.mkdir(exist_ok=True)
    size = -(-len(chosen) // PASS1_BATCHES)
    second = []
    for b in range(PASS1_BATCHES):
        ids = chosen[b * size:(b + 1) * size]
        (out / f"pass1-{b + 1:02d}.ids").write_text("\n".join(ids) + "\n")
        second += sorted(ids, key=lambda i: rank("second:" + i))[:PASS2_PER_BATCH]
    second.sort(key=lambda i: rank("order2:" + i))
    size2 = -(-len(second) // PASS2_BATCHES)
    for b in range(PASS2_BATCHES):
        (out / f"pass2-{b + 1:02d}.ids").write_text("\n".join(second[b * size2:(b + 1) * size2]) + "\n")
    later.sort(key=lambda i: rank("order:" + i))
    size = -(-len(later) // ROUND2_BATCHES)
    for b in range(ROUND2_BATCHES):
        (out / f"pass1-{PASS1_BATCHES + b + 1:02d}.ids").write_text("\n".join(later[b * size:(b + 1) * size]) + "\n")
    print(f"{len(later)} items in {ROUND2_BATCHES} second-round first-pass batches")
    third.sort(key=lambda i: rank("order:" + i))
    size = -(-len(third) // ROUND3_BATCHES)
    first = PASS1_BATCHES + ROUND2_BATCHES
    for b in range(ROUND3_BATCHES):
        (out / f"pass1-{first + b + 1:02d}.ids").write_text("\n".join(third[b * size:(b + 1) * size]) + "\n")
    print(f"{len(third)} items in {ROUND3_BATCHES} third-round first-pass batches")
    print(f"{len(chosen)} items in {PASS1_BATCHES} first-pass batches; {len(second)} in {PASS2_BATCHES} second-pass batches")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
