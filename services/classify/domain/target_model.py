"""The trained component: for each contestant a record names, does its author back them, attack them, or neither?

Why per target: real posts name two or three contestants and take a side on one, often with no campaign
word at all ("pinter bgt jawaban pak X", "@a @b ... plonga plongo"); what decides is the words around each
reference and what the rules found for that contestant. A record's features for contestant C are
- ``t:`` what the rules found for C: binned support and oppose scores, the kinds of its references
  (name, nickname, reply-chain account, hashtag, number...), whether it is named only in the reply chain;
- ``l:``/``r:`` the words left and right of each reference of C (C itself masked as <t>, other contestants
  as <o>), so that "X keren, Y planga plongo" reads differently for X and for Y;
- ``w:``/``c:``/``e:`` the post's own words, character 3-5-grams of them (real spellings: "pinterr",
  "bgt", "wkwk") and emoji;
- ``s:`` the post's shape: link, pasted headline, reply chain, question, frames the rules found, length.
A multinomial logistic regression (none / support / oppose) reads them. Linear and JSON for the same
reasons as before: it loads without scikit-learn, rebuilds bit-for-bit (``make train``), and every
decision splits into per-feature contributions an analyst can read, each word pointing at its span.
"""
from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass

ARTEFACT = pathlib.Path(__file__).resolve().parent.parent / "artefacts" / "target-lr.json"
CLASSES = ("none", "support", "oppose")
CHAR_N = (3, 4, 5)
WINDOW = 5  # words each side of a reference
MAX_POST_TOKENS = 160  # post features read the first tokens of each own field: bounded cost on long articles
_BINS = (0.0, 0.3, 0.45, 0.6, 0.75)
NEGATORS = frozenset(("tidak", "bukan", "kurang", "belum", "ragu", "jangan", "tanpa", "gagal", "anti"))
TURNS = frozenset(("tapi", "tetapi", "namun", "padahal", "sayangnya", "cuma", "hanya"))

Span = tuple[str, int, int] | None  # (field, start, end) of the words behind a feature


def _bin(x: float) -> int:
    return sum(x > b for b in _BINS)


def post_features(fields, frames: set[str], kind: str, source: str, n_targets: int) -> dict[str, Span]:
    """Features of the record as a whole (the same for every contestant it names)."""
    out: dict[str, Span] = {f"s:kind:{kind}": None, f"s:src:{source}": None, f"s:nt:{min(n_targets, 3)}": None}
    for name in frames:
        out[f"s:frame:{name}"] = None
    for f in fields:
        own = f.name == "text"
        p = "" if own else "b" if f.name == "author.bio" else "m" if f.name.startswith("media") else "g"
        toks = f.tokens[:MAX_POST_TOKENS]
        n_words = 0
        negated = 0  # words left in a negator's scope ("gk pintar", "kurang yakin", "ragu milih")
        turned = False  # after "tapi/namun" the sentence's last clause carries its point
        for t in toks:
            k = t.kind
            if k == "word" or k == "number":
                n_words += 1
                norm = t.norm
                key = f"{p}w:{norm}"
                if key not in out:
                    out[key] = (f.name, t.start, t.end)
                if negated:
                    out.setdefault(f"{p}n:{norm}", (f.name, t.start, t.end))
                    negated -= 1
                if turned:
                    out.setdefault(f"{p}a:{norm}", (f.name, t.start, t.end))
                if norm in NEGATORS:
                    negated = 2
                elif norm in TURNS:
                    turned = True
                if own and k == "word" and len(t.norm) >= 3:
                    padded = f"<{t.norm}>"
                    for n in CHAR_N:
                        for i in range(len(padded) - n + 1):
                            out.setdefault(f"c:{padded[i:i + n]}", None)
            elif k == "emoji":
                out.setdefault(f"{p}e:{t.norm}", (f.name, t.start, t.end))
            elif k == "hashtag":
                out.setdefault(f"{p}h:{t.norm}", (f.name, t.start, t.end))
            elif k == "url":
                out[f"{p}s:url"] = None
            elif k == "stop":
                negated, turned = 0, False
                if "?" in t.text:
                    out[f"{p}s:q"] = None
        if own:
            out[f"s:len:{_bin(min(n_words, 60) / 80)}"] = None
    return out


def target_features(fields_by_name, refs, cid: str, support: float, oppose: float, chain: int) -> dict[str, Span]:
    """Features of one contestant in the record: what the rules found for it and the words around it."""
    mine = [r for r in refs if r.contestant == cid]
    out: dict[str, Span] = {f"t:sup:{_bin(support)}": None, f"t:opp:{_bin(oppose)}": None}
    for r in mine:
        out[f"t:rk:{r.kind}"] = None
    out[f"t:n:{min(len(mine), 3)}"] = None
    if mine and mine[0].t0 == 0 and mine[0].field == "text":
        out["t:opens"] = None  # a comment that starts with the name addresses or judges that contestant
    if mine and all(r.kind == "reply_target" for r in mine):
        out["t:chain_only"] = None
    covered: dict[tuple[str, int], str] = {}
    for r in refs:
        for i in range(r.t0, r.t1 + 1):
            if covered.get((r.field, i)) != "<t>":
                covered[(r.field, i)] = "<t>" if r.contestant == cid else "<o>"
    for r in mine:
        if r.kind == "reply_target":
            continue
        f = fields_by_name.get(r.field)
        if f is None:
            continue
        toks = f.tokens
        for side, rng in (("l", range(r.t0 - 1, max(-1, r.t0 - 1 - WINDOW), -1)), ("r", range(r.t1 + 1, min(len(toks), r.t1 + 1 + WINDOW)))):
            prev = None
            for i in rng:
                t = toks[i]
                if t.kind in ("url", "quote", "mention"):
                    continue
                word = covered.get((f.name, i)) or ("." if t.kind == "stop" else t.norm)
                out.setdefault(f"{side}:{word}", (f.name, t.start, t.end))
                if prev is not None:
                    out.setdefault(f"{side}p:{prev} {word}", None)
                prev = word
                if t.kind == "stop":
                    if side == "r" and "?" in t.text:
                        out["t:asked"] = None  # the sentence naming the contestant is a question
                    break
    if chain:
        out["t:chain"] = None
    return out


@dataclass(frozen=True)
class TargetModel:
    """Two linear models over the same features: side taken or not (none/support/oppose), then which way."""

    version: str
    bias: tuple[float, float, float]
    weights: dict[str, list[float]]
    polarity_bias: float = 0.0
    polarity: dict[str, float] | None = None

    @classmethod
    def load(cls, path: pathlib.Path = ARTEFACT) -> "TargetModel | None":
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(version=data["version"], bias=tuple(data["bias"]), weights=data["weights"],
                   polarity_bias=data.get("polarity_bias", 0.0), polarity=data.get("polarity"))

    def oppose_probability(self, feats) -> tuple[float, list[tuple[str, float]]]:
        """Once a side is taken: the probability that it is against, and the features that said so."""
        w = self.polarity or {}
        known = [(f, w[f]) for f in feats if f in w]
        z = max(-30.0, min(30.0, self.polarity_bias + sum(v for _, v in known)))
        return 1.0 / (1.0 + math.exp(-z)), known

    def predict(self, feats) -> tuple[list[float], list[tuple[str, list[float]]]]:
        """Class probabilities (none, support, oppose) and the features the model knows."""
        w = self.weights
        z = list(self.bias)
        known = []
        for f in feats:
            v = w.get(f)
            if v is not None:
                z[0] += v[0]
                z[1] += v[1]
                z[2] += v[2]
                known.append((f, v))
        top = max(z)
        e = [math.exp(x - top) for x in z]
        s = sum(e)
        return [x / s for x in e], known

    @staticmethod
    def top_features(known, klass: int, k: int = 4) -> list[tuple[str, float]]:
        """The features that pushed hardest towards ``klass`` against the other classes."""
        scored = [(f, v[klass] - max(v[j] for j in range(3) if j != klass)) for f, v in known]
        scored.sort(key=lambda x: (-x[1], x[0]))
        return [(f, round(d, 3)) for f, d in scored[:k] if d > 0]
