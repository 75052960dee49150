"""Turns the hand-written item files (items_*.txt) into content-record JSONL sets, dev and test.

Why a source format: the items were written by hand one per line (``G|STANCE|FORM|KIND|SOURCE|TEXT|EXTRA``,
see ANNOTATION_GUIDE.md); the JSONL files are what tools read. The split is deterministic by content
hash, so adding an item never moves another between dev and test. A file whose first line is
``# split: dev`` goes to dev whole: items written after seeing a classifier error (regression cases)
would flatter the test figures, so they never go to test.
Run: ``.venv/bin/python tests/classify_data/build_sets.py``
"""
from __future__ import annotations

import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).parent


def file_split(lines: list[str]) -> str | None:
    """``# split: dev`` on the first line pins every item of the file to that split; ``# split: train-dev-test``
    spreads the file over train/dev/test by hash (60/20/20). Without a header: dev/test by hash (50/50)."""
    if lines and lines[0].startswith("#") and lines[0].lstrip("# ").startswith("split:"):
        split = lines[0].split(":", 1)[1].strip()
        if split not in ("dev", "train-dev-test"):
            raise ValueError(f"only '# split: dev' or '# split: train-dev-test' may head a file, not {split!r}")
        return split
    return None


def three_way(external_id: str) -> str:
    """train 60 %, dev 20 %, test 20 % by a hash of the item (never by what the classifier says)."""
    bucket = int(hashlib.sha1(external_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 6 else ("dev" if bucket < 8 else "test")


def parse_line(line: str, lineno: int, name: str) -> dict:
    parts = line.split("|")
    if len(parts) != 7:
        raise ValueError(f"{name}:{lineno}: expected 7 fields, got {len(parts)}")
    group, stance, form, kind, source, text, extra = (p.strip() for p in parts)
    extras = {}
    for chunk in filter(None, extra.split(";;")):
        key, _, value = chunk.partition("=")
        extras[key.strip()] = value.strip()
    digest = hashlib.sha1(line.encode()).hexdigest()
    record: dict = {
        "source": source,
        "external_id": f"ann-{digest[:12]}",
        "url": f"https://example.invalid/{source}/{digest[:12]}",
        "kind": kind,
        "text": text,
        "author": {"handle": f"akun_{digest[12:18]}", "display_name": None, "bio": extras.get("bio")},
        "target": None,
        "media": [],
        "published_at": ("2024-10-%02dT09:00:00+07:00" if "jakarta" in line.lower() else "2024-01-%02dT09:00:00+07:00")
        % (1 + int(digest[18:20], 16) % 28),
    }
    if "target" in extras or "ttext" in extras:
        record["target"] = {"handle": extras.get("target", "").lstrip("@") or None, "text": extras.get("ttext")}
    if "media" in extras or "cap" in extras or "ocr" in extras or "labels" in extras:
        labels = [x.strip() for x in extras.get("labels", "").split(",") if x.strip()]
        record["media"] = [{"type": extras.get("media", "image"), "caption": extras.get("cap") or None,
                            "ocr_text": extras.get("ocr") or None, "labels": labels}]
    stances = []
    if stance != "-":
        for item in stance.split(";"):
            stances.append({"contestant": item[:-1], "polarity": "support" if item[-1] == "+" else "oppose"})
    partisan = group == "P"
    if partisan != bool(stances) or partisan != (form != "none"):
        raise ValueError(f"{name}:{lineno}: label fields disagree: {group} {stance} {form}")
    record["labels"] = {"partisan": partisan, "stance": stances, "form": form,
                        "group": "positive" if partisan else ("easy_negative" if group == "N" else group.split(":")[1])}
    record["split"] = "test" if int(digest, 16) % 2 else "dev"
    return record


def main() -> None:
    out = {"train": [], "dev": [], "test": []}
    for path in sorted(HERE.glob("items_*.txt")):
        lines = path.read_text().splitlines()
        pinned = file_split(lines)
        for lineno, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            rec = parse_line(line, lineno, path.name)
            split = rec.pop("split")
            origin = "templated" if pinned == "train-dev-test" else "handwritten"
            rec["labels"]["origin"] = origin
            if pinned == "train-dev-test":
                split = three_way(rec["external_id"])
            elif pinned:
                split = pinned
            out[split].append(rec)
    for split, rows in out.items():
        with open(HERE / f"{split}.jsonl", "w") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        hard = sum(1 for r in rows if r["labels"]["group"] not in ("positive", "easy_negative"))
        pos = sum(1 for r in rows if r["labels"]["partisan"])
        print(f"{split}: {len(rows)} items, {pos} partisan, {hard} hard negatives")


if __name__ == "__main__":
    main()
