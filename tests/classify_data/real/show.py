"""Print the tweets of one batch (``show.py batches/pass1-01.ids [START [COUNT]]``) for an annotator to read.

Reads the texts in place from ``../shared/data/pemilu2024-tweets-unlabelled/tweets.csv``; prints
``n<TAB>id<TAB>text`` (newlines in a text shown as ⏎). Nothing is written.
"""
import csv
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[3] / "shared" / "data" / "pemilu2024-tweets-unlabelled" / "tweets.csv"

ids = pathlib.Path(sys.argv[1]).read_text().split()
start = int(sys.argv[2]) if len(sys.argv) > 2 else 0
count = int(sys.argv[3]) if len(sys.argv) > 3 else len(ids)
texts = {r["id"]: r["text"] for r in csv.DictReader(SRC.open(encoding="utf-8", newline=""))}
for n, i in enumerate(ids[start:start + count], start):
    print(f"{n}\t{i}\t{texts[i].replace(chr(10), ' ⏎ ')}")
