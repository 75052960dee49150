"""The trained component: a linear model over word, word-pair and character n-grams (``make train``).

Why linear and JSON: it is small, it loads in milliseconds without scikit-learn or numpy at run time,
it rebuilds bit-for-bit (fixed data, fixed solver, rounded weights, sorted keys), and each decision
splits into per-feature contributions that an analyst can read ("w:coblos +1.9", "m:kaos +0.8").
Features come from the classifier's own tokens (same window, same normalisation), so the model sees
exactly what the rules see. Prefixes: t text, b bio, m media caption/OCR, l media labels, g target
text, k kind, s source; w word, p word pair, c character n-gram inside a word.
"""
from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass

ARTEFACT = pathlib.Path(__file__).resolve().parent.parent / "artefacts" / "lexical-lr.json"
CHAR_N = (3, 4)
_PREFIX = {"text": "t", "author.bio": "b", "target.text": "g"}


def field_prefix(name: str) -> str:
    if name.startswith("media"):
        return "m"
    return _PREFIX.get(name, "t")


def features(fields, labels: list[str], kind: str, source: str) -> set[str]:
    """Binary features of one record from its analysed fields (classifier.Field objects)."""
    out = {f"k:{kind}", f"s:{source}"}
    for f in fields:
        p = field_prefix(f.name)
        prev = None
        for t in f.tokens:
            if t.kind in ("url", "quote"):
                continue
            if t.kind == "stop":
                prev = None
                continue
            norm = t.norm
            out.add(f"{p}w:{norm}")
            if prev is not None:
                out.add(f"{p}p:{prev} {norm}")
            prev = norm
            if p == "t" and t.kind == "word" and len(norm) >= 3:
                padded = f"<{norm}>"
                for n in CHAR_N:
                    for i in range(len(padded) - n + 1):
                        out.add(f"tc:{padded[i:i + n]}")
    for lab in labels:
        out.add("lw:" + lab.lower().replace("_", " ").strip())
    return out


@dataclass(frozen=True)
class LexicalModel:
    version: str
    bias: float
    weights: dict[str, float]

    @classmethod
    def load(cls, path: pathlib.Path = ARTEFACT) -> "LexicalModel | None":
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(version=data["version"], bias=float(data["bias"]), weights=data["weights"])

    def score(self, feats: set[str]) -> tuple[float, list[tuple[str, float]]]:
        """Probability of partisan and the contributing features, strongest first."""
        w = self.weights
        contrib = [(f, w[f]) for f in feats if f in w]
        z = self.bias + sum(c for _, c in contrib)
        z = max(-30.0, min(30.0, z))
        contrib.sort(key=lambda x: (-abs(x[1]), x[0]))
        return 1.0 / (1.0 + math.exp(-z)), contrib
