"""The trained component: for each contestant a record names, does its author back them, attack them, or neither?

Why per target: real posts name two or three contestants and take a side on one, often with no campaign
word at all ("jawabannya cerdas banget, pak X", "@a @b ... plonga plongo"); what decides is the words around each
reference and what the rules found for that contestant. A record's features for contestant C are
- ``t:`` what the rules found for C: binned support and oppose scores, the kinds of its references
  (name, nickname, reply-chain account, hashtag, number...), whether it is named only in the reply chain;
- ``l:``/``r:`` the words left and right of each reference of C (C itself masked as <t>, other contestants
  as <o>), so that "X keren, Y planga plongo" reads differently for X and for Y;
- ``w:``/``c:``/``e:`` the post's own words, character 3-5-grams of them (real spellings: "cerdass",
  "bgt", "wkwk") and emoji;
- ``s:`` the post's shape: link, pasted headline, reply chain, question, frames the rules found, length.
A multinomial logistic regression (none / support / oppose) reads them. Linear and JSON for the same
reasons as before: it loads without scikit-learn, rebuilds bit-for-bit (``make train``), and every
decision splits into per-feature contributions an analyst can read, each word pointing at its span.
"""
from __future__ import annotations

import array
import hashlib
import heapq
import json
import math
import pathlib
import sys
from dataclasses import dataclass, field
from functools import lru_cache

from services.classify.domain import lexicon
from services.classify.domain import weights as W

ARTEFACT = pathlib.Path(__file__).resolve().parent.parent / "artefacts" / "target-lr.json"
# The same weights in a compact form that loads in a quarter of the JSON's time (start-up of every `pantau
# classify`): written next to the JSON by ``make train``, checked by ``train --check``, used only while it
# names the JSON's exact bytes (sha256), so a stale one is never read.
COMPACT = ARTEFACT.with_suffix(".bin")
COMPACT_SCHEMA = "pantau.target-model-compact/v1"
CLASSES = ("none", "support", "oppose")
WEIGHT_SCALE = 10_000  # stored weights are integer ten-thousandths (train.py rounds them to 4 decimals)
CHAR_N = (3, 4, 5)
WINDOW = 5  # words each side of a reference
MAX_POST_TOKENS = 160  # post features read the first tokens of each own field: bounded cost on long articles
REF_WORD = "<ref>"
MAX_REPEAT = 2  # a word counts at most this often: a wall of the same slogan is not a hundred votes
_BINS = (0.0, 0.3, 0.45, 0.6, 0.75)
LEAN = 0.3  # rule support and oppose this far apart: the rules lean one way
NEGATORS = frozenset(("tidak", "bukan", "kurang", "belum", "ragu", "jangan", "tanpa", "gagal", "anti"))
MOCK_PREFIXES = ("wkwk", "haha", "hehe", "hihi", "xixi", "awok", "ngakak")
MOCK_EMOJI = frozenset(("🤣", "😂", "😅", "🙄", "🤭", "😆", "😝", "🤪", "🤡", "😏", "😜", "🥱"))
TAG_KINDS = frozenset(("reply_target", "campaign_account"))
TURNS = frozenset(("tapi", "tetapi", "namun", "padahal", "sayangnya", "cuma", "hanya"))

Span = tuple[str, int, int] | None  # (field, start, end) of the words behind a feature


def _bin(x: float) -> int:
    return sum(x > b for b in _BINS)


@dataclass(slots=True)
class PostFeatures:
    """The record's own features: its words (each occurrence counts: the word and its character n-grams)
    and everything else, present or not. ``expand`` gives the flat feature counts training fits on."""

    words: list[tuple[str, bool, Span]]  # (norm, spelled word: char n-grams too, where)
    other: dict[str, Span]

    def expand(self) -> dict[str, float]:
        out: dict[str, float] = dict.fromkeys(self.other, 1.0)
        for norm, spelled, _ in self.words:
            for f in word_features(norm, spelled):
                out[f] = out.get(f, 0.0) + 1.0
        return out

    def spans(self) -> dict[str, Span]:
        out = dict(self.other)
        for norm, _, where in self.words:
            out.setdefault(f"w:{norm}", where)
        return out


@lru_cache(maxsize=65536)
def word_features(norm: str, spelled: bool) -> tuple[str, ...]:
    """A word of the post's own text: "w:pintar" and, spelled out, its character 3-5-grams ("c:<pin", "c:nter")."""
    if not spelled:
        return (f"w:{norm}",)
    padded = f"<{norm}>"
    return (f"w:{norm}",) + tuple(f"c:{padded[i:i + n]}" for n in CHAR_N for i in range(len(padded) - n + 1))


def post_features(fields, frames: set[str], kind: str, source: str, n_targets: int,
                  named: frozenset[tuple[str, int]] = frozenset()) -> PostFeatures:
    """Features of the record as a whole (the same for every contestant it names).

    ``named``: (field, token) positions of contestant references, read as "<ref>": the post's words say how it
    speaks, not who it names (the crawl names one pair far more often than the others, and naming a
    contestant is no evidence of taking a side, nor of which way)."""
    other: dict[str, Span] = {f"s:kind:{kind}": None, f"s:src:{source}": None, f"s:nt:{min(n_targets, 3)}": None}
    words: list[tuple[str, bool, Span]] = []
    seen: dict[str, int] = {}
    for name in frames:
        other[f"s:frame:{name}"] = None
    for f in fields:
        own = f.name == "text"
        p = "" if own else "b" if f.name == "author.bio" else "m" if f.name.startswith("media") else "g"
        n_words = 0
        negated = 0  # words left in a negator's scope ("gk pintar", "kurang yakin", "ragu milih")
        turned = False  # after "tapi/namun" the sentence's last clause carries its point
        for i, t in enumerate(f.tokens[:MAX_POST_TOKENS]):
            k = t.kind
            if k == "word" or k == "number":
                n_words += 1
                norm = REF_WORD if (f.name, i) in named else t.norm
                if own:
                    seen[norm] = n = seen.get(norm, 0) + 1
                    if n <= MAX_REPEAT:
                        words.append((norm, k == "word" and len(norm) >= 3 and norm != REF_WORD, (f.name, t.start, t.end)))
                else:
                    other.setdefault(f"{p}w:{norm}", (f.name, t.start, t.end))
                if negated:
                    other.setdefault(f"{p}n:{norm}", (f.name, t.start, t.end))
                    negated -= 1
                if turned:
                    other.setdefault(f"{p}a:{norm}", (f.name, t.start, t.end))
                if norm in NEGATORS:
                    negated = 2
                elif norm in TURNS:
                    turned = True
            elif k == "emoji":
                other.setdefault(f"{p}e:{t.norm}", (f.name, t.start, t.end))
            elif k == "hashtag":
                other.setdefault(f"{p}h:{t.norm}", (f.name, t.start, t.end))
            elif k == "url":
                other[f"{p}s:url"] = None
            elif k == "stop":
                negated, turned = 0, False
                if "?" in t.text:
                    other[f"{p}s:q"] = None
        if own:
            other[f"s:len:{_bin(min(n_words, 60) / 80)}"] = None
    # tone: praise next to laughter or an eye-roll is mockery; a linear model needs the pair spelled out
    praise = any(norm in lexicon.PRAISE for norm, _, _ in words)
    mock = any(norm.startswith(MOCK_PREFIXES) for norm, _, _ in words) or any(
        k[2:] in MOCK_EMOJI for k in other if k.startswith("e:"))
    if praise:
        other["s:praise"] = None
    if mock:
        other["s:mock"] = None
        if praise:
            other["s:praise+mock"] = None
    if any(norm in lexicon.INSULTS for norm, _, _ in words):
        other["s:insult"] = None
    return PostFeatures(words, other)


def target_features(fields_by_name, refs, cid: str, support: float, oppose: float, chain: int) -> dict[str, Span]:
    """Features of one contestant in the record: what the rules found for it and the words around it."""
    mine = [r for r in refs if r.contestant == cid]
    out: dict[str, Span] = {f"t:sup:{_bin(support)}": None, f"t:opp:{_bin(oppose)}": None}
    if abs(support - oppose) >= LEAN:  # the rules read one side clearly (an insult, a negated vote, mocked praise)
        out["t:lean:support" if support > oppose else "t:lean:oppose"] = None
    for r in mine:
        out[f"t:rk:{r.kind}"] = None
    out[f"t:n:{min(len(mine), 3)}"] = None
    if mine and mine[0].t0 == 0 and mine[0].field == "text":
        out["t:opens"] = None  # a comment that starts with the name addresses or judges that contestant
    if mine and all(r.kind in TAG_KINDS for r in mine):
        out["t:tag_only"] = None  # only @-tagged: the author's own words never name this contestant
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
    """Two linear models over the same features: side taken or not (none/support/oppose), then which way.

    A record's post features are summed once (``Scores.of_post``); each contestant adds its own few."""

    version: str
    bias: tuple[float, float, float]
    weights: dict[str, tuple[float, float, float, float]]
    polarity_bias: float = 0.0
    polarity: dict[str, float] | None = None
    _word_memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path: pathlib.Path = ARTEFACT) -> "TargetModel | None":
        if not path.exists():
            return None
        raw = path.read_bytes()
        compact = path.with_suffix(".bin")
        if compact.exists():
            model = cls.from_compact(compact.read_bytes(), hashlib.sha256(raw).hexdigest())
            if model is not None:
                return model
        return cls.from_json(raw.decode("utf-8"))

    @classmethod
    def from_compact(cls, data: bytes, json_sha256: str) -> "TargetModel | None":
        """The model from ``compact_bytes``, or None when they were written for other JSON bytes."""
        head, _, body = data.partition(b"\n")
        meta = json.loads(head)
        if meta.get("schema") != COMPACT_SCHEMA or meta["json_sha256"] != json_sha256:
            return None
        ints = array.array("i", body[:meta["int32s"] * 4])
        if sys.byteorder != "little":
            ints.byteswap()
        names = body[meta["int32s"] * 4:].decode("utf-8").split("\n")
        scale, n = meta["weight_scale"], len(names)
        it = iter([v / scale for v in ints[:4 * n]])  # k / scale: the same floats as from_json
        weights = dict(zip(names, zip(it, it, it, it)))
        pol = {names[i]: weights[names[i]][3] for i in ints[4 * n:]}
        return cls(meta["version"], tuple(meta["bias"]), weights, meta["polarity_bias"], pol or None)

    @classmethod
    def from_json(cls, text: str) -> "TargetModel":
        """A model from its artefact's JSON (the shipped file, or a version promoted at run time from the store)."""
        data = json.loads(text)
        # Weights are stored as integer ten-thousandths: JSON parses integers about four times faster than
        # decimals (start-up of every `pantau classify`), and k / 10000 is the same float as "0.kkkk".
        # The tuples are built here in one pass, not through ``from_fitted`` (a third of the load time).
        scale = data["weight_scale"]
        pol = {f: v / scale for f, v in (data.get("polarity") or {}).items()}
        get = pol.get
        weights = {f: (a / scale, b / scale, c / scale, get(f, 0.0)) for f, (a, b, c) in data["weights"].items()}
        return cls._with_polarity(data["version"], data["bias"], weights, data.get("polarity_bias", 0.0), pol)

    @classmethod
    def from_fitted(cls, version: str, fitted: dict) -> "TargetModel":
        """A model from weights as ``train.fit_target`` returns them (also what ``load`` reads back)."""
        pol = fitted.get("polarity") or {}
        # the side and polarity weights of a feature in one tuple: one lookup per feature
        weights = {f: (*v, pol.get(f, 0.0)) for f, v in fitted["weights"].items()}
        return cls._with_polarity(version, fitted["bias"], weights, fitted.get("polarity_bias", 0.0), pol)

    @classmethod
    def _with_polarity(cls, version: str, bias, weights: dict, polarity_bias: float, pol: dict) -> "TargetModel":
        """The model, with the features only the polarity model knows added to ``weights``."""
        weights.update({f: (0.0, 0.0, 0.0, v) for f, v in pol.items() if f not in weights})
        return cls(version, tuple(bias), weights, polarity_bias, pol or None)

    def sums(self, feats) -> list[float]:
        """Summed weights of the features (each once): [none, support, oppose, oppose-vs-support]."""
        get = self.weights.get
        a = b = c = d = 0.0  # locals, not list items: the same sums in the same order, faster
        for f in feats:
            v = get(f)
            if v is not None:
                a += v[0]
                b += v[1]
                c += v[2]
                d += v[3]
        return [a, b, c, d]

    def post_sums(self, post: PostFeatures) -> list[float]:
        """``sums`` of the post's features, each distinct word's share computed once per model (a bounded memo)."""
        memo = self._word_memo
        if len(memo) > 200_000:
            memo.clear()
        a, b, c, d = self.sums(post.other)
        for norm, spelled, _ in post.words:
            v = memo.get((norm, spelled)) or self.word_vector(norm, spelled)
            a += v[0]
            b += v[1]
            c += v[2]
            d += v[3]
        return [a, b, c, d]

    def probabilities(self, post_sums: list[float], target_feats) -> tuple[list[float], float]:
        """(none, support, oppose) and, once a side is taken, the probability that it is against."""
        t = self.sums(target_feats)
        z = [self.bias[k] + post_sums[k] + t[k] for k in range(3)]
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        p_opp = e[2] / (e[1] + e[2])
        if self.polarity is not None:
            zp = max(-30.0, min(30.0, self.polarity_bias + post_sums[3] + t[3]))
            share = W.POLARITY_SIDE_SHARE
            p_opp = share * p_opp + (1.0 - share) / (1.0 + math.exp(-zp))
        return [x / total for x in e], p_opp

    def word_vector(self, norm: str, spelled: bool) -> tuple[float, float, float, float]:
        """A word's summed weights (the word and its character n-grams), memoised."""
        memo = self._word_memo
        v = memo.get((norm, spelled))
        if v is None:
            v = memo[(norm, spelled)] = tuple(self.sums(word_features(norm, spelled)))
        return v

    def top_features(self, post: PostFeatures, target_feats, klass: int, k: int = 4) -> list[tuple[str, float]]:
        """The features that pushed hardest towards ``klass`` (1 support, 2 oppose) against "none" and the
        other side (the polarity model's say included); a word counts with its character n-grams, as read."""
        w = self.weights
        sign = 1.0 if klass == 2 else -1.0
        other = 3 - klass
        candidates: dict[str, tuple[float, tuple]] = {}
        for norm, spelled, _ in post.words:
            name = f"w:{norm}"
            n, _ = candidates.get(name, (0.0, None))
            candidates[name] = (n + 1.0, self.word_vector(norm, spelled))
        for f in (*post.other, *target_feats):
            v = w.get(f)
            if v is not None:
                candidates[f] = (1.0, v)
        scored = []
        for f, (n, v) in candidates.items():
            d = n * (v[klass] - max(v[0], v[other]) + sign * v[3])
            if d > 0:
                scored.append((d, f))
        return [(f, round(d, 3)) for d, f in heapq.nlargest(k, scored)]


def compact_bytes(json_bytes: bytes) -> bytes:
    """The compact form of an artefact's JSON: a header line; little-endian int32 weights as stored (side and
    polarity: four a feature, in ``from_json``'s order), then the polarity features' positions in the JSON's
    polarity order; then the feature names, one a line (after the integers, so that git sees a binary file)."""
    data = json.loads(json_bytes)
    pol = data.get("polarity") or {}
    rows = {f: (*col, pol.get(f, 0)) for f, col in data["weights"].items()}
    rows.update({f: (0, 0, 0, v) for f, v in pol.items() if f not in rows})
    position = {f: i for i, f in enumerate(rows)}
    names = "\n".join(rows).encode("utf-8")
    assert len(names.split(b"\n")) == len(rows), "a feature name holds a line break"
    ints = array.array("i", [v for row in rows.values() for v in row] + [position[f] for f in pol])
    if sys.byteorder != "little":
        ints.byteswap()
    head = {"schema": COMPACT_SCHEMA, "json_sha256": hashlib.sha256(json_bytes).hexdigest(), "version": data["version"],
            "bias": data["bias"], "polarity_bias": data.get("polarity_bias", 0.0), "weight_scale": data["weight_scale"],
            "int32s": len(ints)}
    return json.dumps(head, sort_keys=True, separators=(",", ":")).encode() + b"\n" + ints.tobytes() + names
