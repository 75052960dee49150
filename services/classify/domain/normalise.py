"""Normalisation of colloquial Indonesian social-media text into tokens that keep their source spans.

Why tokens with spans: every decision must point at the words that caused it, in the field as the
user wrote it. So we never rewrite the text as a whole; each token carries its original span and a
normalised form (NFKC, lower case, elongation collapsed, reduplication marker dropped, slang mapped,
hashtags segmented, emoji gestures canonicalised).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from services.classify.domain.slang import SLANG

_TOKEN_RE = re.compile(
    r"(?P<url>(?:https?://|www\.|pic\.twitter\.com/)\S+)"
    r"|(?P<mention>@[A-Za-z0-9_.]*[A-Za-z0-9_])"
    r"|(?P<hashtag>#[^\W_](?:[\w]*))"
    r"|(?P<keycap>[0-9#*]\ufe0f?\u20e3)"
    r"|(?P<word>[^\W_]+(?:['’\-][^\W_]+)*)"
    r"|(?P<quote>[\"“”«»„])"
    r"|(?P<stop>[.!?;:\n]+)"
    r"|(?P<emoji>[\u2190-\u2BFF\U0001F000-\U0001FAFF][\ufe0f\U0001F3FB-\U0001F3FF\u200d]*)",
)
_ELONG = re.compile(r"(.)\1{2,}")
_REDUP = re.compile(r"^([a-z]{2,})2(nya|an|kan|lah|in)?$")
_CAMEL = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|[A-Z]+|\d+")
_VARIATION = re.compile("[\ufe0f\u200d\U0001F3FB-\U0001F3FF]")


@dataclass(slots=True)
class Token:
    """One token: ``norm`` may hold several words (a segmented hashtag) but maps to one source span."""

    text: str
    norm: str
    start: int
    end: int
    kind: str  # word | number | hashtag | mention | url | emoji | quote | stop


@lru_cache(maxsize=4096)
def canonical_emoji(value: str) -> str:
    """Drop variation selectors, joiners and skin tones so ✌️, ✌ and ✌🏽 compare equal."""
    return _VARIATION.sub("", unicodedata.normalize("NFKC", value))


@lru_cache(maxsize=65536)
def normalise_word(raw: str) -> str:
    """NFKC, lower case, collapse elongation (``dukunggg``), drop ``2`` reduplication, map slang."""
    word = unicodedata.normalize("NFKC", raw).lower().replace("’", "'")
    if word in SLANG:
        return SLANG[word]
    if not word.isdigit():
        if _ELONG.search(word):  # rare: a search is cheaper than a substitution that changes nothing
            word = _ELONG.sub(r"\1", word)
            if word in SLANG:
                return SLANG[word]
        m = _REDUP.match(word) if "2" in word else None
        if m:
            word = m.group(1)
            if word in SLANG:
                return SLANG[word]
    if word.isdecimal() and len(word) <= 2:  # "❶" is a digit that int() refuses
        return str(int(word)) if word != "0" else word
    if word.endswith("nya") and len(word) > 6 and word[:-3] in SLANG:
        return SLANG[word[:-3]]
    return word


class Segmenter:
    """Splits a lower-case hashtag into known words (``prabowogibran2024`` -> ``prabowo gibran 2024``)."""

    def __init__(self, vocabulary: set[str]):
        self.vocab = {w for w in vocabulary if w.isalpha() and len(w) >= 2}
        self.max_len = max((len(w) for w in self.vocab), default=1)

    @lru_cache(maxsize=16384)
    def split(self, tag: str) -> tuple[str, ...]:
        pieces: list[str] = []
        for chunk in re.findall(r"[a-z]+|\d+", tag):
            pieces.extend(self._split_alpha(chunk) if chunk.isalpha() else [chunk])
        return tuple(pieces)

    def _split_alpha(self, text: str) -> list[str]:
        n = len(text)
        best: list[tuple[int, list[str]] | None] = [None] * (n + 1)
        best[0] = (0, [])
        for i in range(n):
            if best[i] is None:
                continue
            cost, words = best[i]
            for j in range(i + 1, min(n, i + self.max_len) + 1):
                piece = text[i:j]
                known = piece in self.vocab
                step = 1 if known else 3 * len(piece)  # unknown letters are expensive
                if not known and len(piece) > 1:
                    continue
                cand = (cost + step, words + [piece])
                if best[j] is None or cand[0] < best[j][0]:
                    best[j] = cand
        result = best[n][1] if best[n] else [text]
        merged: list[str] = []  # glue runs of single unknown letters back together
        for w in result:
            if len(w) == 1 and w not in self.vocab and merged and len(merged[-1]) >= 1 and merged[-1] not in self.vocab:
                merged[-1] += w
            else:
                merged.append(w)
        return merged


@lru_cache(maxsize=16384)
def _word(raw: str) -> tuple[str, str]:
    norm = normalise_word(raw)
    return norm, ("number" if norm.isdigit() else "word")


def _hashtag(raw: str, segmenter: "Segmenter | None") -> str:
    body = unicodedata.normalize("NFKC", raw[1:])
    if any(c.isupper() for c in body[1:]) and not body.isupper():
        parts = [p.lower() for p in _CAMEL.findall(body)]
    else:
        parts = list(segmenter.split(body.lower())) if segmenter else [body.lower()]
    return " ".join(normalise_word(p) for p in parts) or body.lower()


_hashtag_cached = lru_cache(maxsize=16384)(_hashtag)
_FIXED = {"url": "<url>", "quote": '"', "stop": "."}


def tokenize(text: str, segmenter: Segmenter | None = None) -> list[Token]:
    """Tokenise one field; spans index into ``text`` exactly as given."""
    out: list[Token] = []
    append = out.append
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        if kind == "word":
            norm, wkind = _word(raw)
            append(Token(raw, norm, m.start(), m.end(), wkind))
        elif kind == "hashtag":
            append(Token(raw, _hashtag_cached(raw, segmenter), m.start(), m.end(), "hashtag"))
        elif kind == "mention":
            append(Token(raw, "@" + handle_key(raw), m.start(), m.end(), "mention"))
        elif kind == "keycap" or kind == "emoji":
            append(Token(raw, canonical_emoji(raw), m.start(), m.end(), "emoji"))
        else:
            append(Token(raw, _FIXED[kind], m.start(), m.end(), kind))
    return out


@lru_cache(maxsize=16384)
def handle_key(handle: str) -> str:
    """Handles compare without case, ``@``, dots and underscores (``@TKN_PrabowoGibran`` == ``tknprabowogibran``)."""
    return re.sub(r"[._@\s]", "", unicodedata.normalize("NFKC", handle)).lower()


def joined_starts(pieces: list[str], first: int = 0) -> list[int]:
    """Where each piece starts in ``" ".join(pieces)`` placed at offset ``first``: the matchers read tokens'
    norms joined by spaces and map what they find back to the tokens."""
    starts = list(accumulate([len(p) + 1 for p in pieces], initial=first))
    starts.pop()
    return starts


def normalise_phrase(text: str) -> str:
    """Normalise a config phrase the same way as content, so config and text always meet."""
    return " ".join(t.norm for t in tokenize(text) if t.kind in ("word", "number", "emoji"))


def normalise_text(text: str) -> str:
    """Whole-text normalisation (used by the benchmark baseline and for debugging)."""
    return " ".join(t.norm for t in tokenize(text))
