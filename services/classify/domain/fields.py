"""What the rules work on: matched phrases (hits), contestant references, analysed fields, scores, evidence.

Shared by every part of the classifier (references, cues, frames, combination); pure data and small helpers.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from services.classify.domain import lexicon
from services.classify.domain import weights as W
from services.classify.domain.normalise import Token
from shared.schemas import Evidence

# field -> default in declaration order: serialised output keeps the schema's field order
_EVIDENCE_DEFAULTS = {name: None if f.is_required() else f.default for name, f in Evidence.model_fields.items()}
_new = object.__new__
_set = object.__setattr__


def new_evidence(**values) -> Evidence:
    """An Evidence built here is well-typed by construction: what ``Evidence.model_construct`` does, without its
    per-call field walk (a classification builds a dozen of these; this was a tenth of its time). Callers name
    Evidence's fields only: the defaults are overlaid in one merge, in the schema's order."""
    obj = _new(Evidence)
    _set(obj, "__dict__", {**_EVIDENCE_DEFAULTS, **values})
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def evidence_with(ev: Evidence, **changes) -> Evidence:
    """A copy of evidence with some fields changed (``model_copy(update=...)`` without its overhead)."""
    return new_evidence(**(ev.__dict__ | changes))


@dataclass(slots=True)
class Hit:
    kind: str  # name|ambiguous|slogan|oppose_phrase|gesture|support|oppose|negator|neg_exception|frame|frame_exception|contrast|context|photo_with|group
    key: str
    t0: int
    t1: int  # inclusive token range
    contestant: str | None = None
    weight: float = 0.0
    strong: bool = True


@dataclass(slots=True)
class Ref:
    contestant: str
    kind: str
    field: str
    t0: int
    t1: int
    text: str
    span: tuple[int, int] | None
    support: float = 0.0
    oppose: float = 0.0
    quoted: bool = False


@dataclass
class Field:
    name: str
    text: str
    tokens: list[Token]
    hits: list[Hit]
    sentence: list[int]
    quoted: list[bool]
    work: int = 0  # reference-cue pairs examined: a deterministic measure of cost (see cost())
    _by_t0: dict | None = None
    _race_scores: dict | None = None

    def hits_from(self, lo: int, hi: int):
        """Hits starting at token positions lo..hi (an index built on first use, so lookups stay local)."""
        if self._by_t0 is None:
            self._by_t0 = {}
            for h in self.hits:
                self._by_t0.setdefault(h.t0, []).append(h)
        for i in range(max(0, lo), hi + 1):
            yield from self._by_t0.get(i, ())


@dataclass
class Analysis:
    """What the rules read in one record, before any decision."""
    own: list
    target_fields: list
    labels: list
    refs: list
    merged: dict
    frame_ev: list
    form_cues: list | None  # None: not looked for yet (``forms.detect`` finds them when it needs them)
    engaged: dict
    frame_factor: float = 1.0  # the discount of content about partisanship (frames), applied to the model too


@dataclass
class Scored:
    support: list[tuple[float, Evidence]] = field(default_factory=list)
    oppose: list[tuple[float, Evidence]] = field(default_factory=list)


def combine(values: list[float]) -> float:
    if not values:
        return 0.0
    top = sorted(values, reverse=True)
    return min(0.99, top[0] + (W.SECOND_CUE * top[1] if len(top) > 1 else 0.0))


def reply_chain(f: Field) -> int:
    """How many tokens the leading chain of @mentions of a reply takes (0 when the text does not open with one)."""
    n = 0
    for t in f.tokens:
        if t.kind != "mention":
            break
        n += 1
    return n


def is_prayer(f: Field, i: int) -> bool:
    """"amin" closing a wish ("semoga menang, amin", "amin ya rabb") is a prayer, not the 01 pair's acronym."""
    toks = f.tokens
    nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
    if nxt in lexicon.PRAYER_AFTER:
        return True
    if nxt and toks[i + 1].kind in ("word", "number", "hashtag") and nxt not in lexicon.PRAYER_WORDS:
        return False  # "amin menang", "amin 2024": the pair, in the middle of a clause
    return any(toks[j].norm in lexicon.PRAYER_BEFORE for j in range(max(0, i - 12), i))


def pasted_headline(f: Field) -> bool:
    """A news headline shared with its link: title-cased (or shouted) words, no first or second person.

    The poster's own words would add an opinion in plain case or an "aku/kita/kamu"; a bare headline next
    to "dukung"/"deklarasi" reports somebody else's support."""
    if not any(t.kind == "url" for t in f.tokens):
        return False
    words = [t for t in f.tokens if t.kind == "word" and len(t.text) >= 3]
    if len(words) < 4 or any(t.norm in lexicon.PERSONAL_PRONOUNS for t in f.tokens if t.kind == "word"):
        return False
    titled = sum(t.text[0].isupper() for t in words)
    # a headline in title case, or a news lede: a reporting verb about somebody else, or a preview cut short ("...")
    return titled / len(words) >= 0.6 or any(t.norm in lexicon.REPORTING_VERBS for t in words) or _cut_preview(f)


def _cut_preview(f: Field) -> bool:
    """A link preview: the shared text stops mid-sentence with an ellipsis right before its link."""
    for i, t in enumerate(f.tokens):
        if t.kind == "url" and i > 0:
            before = f.text[max(0, t.start - 6):t.start].rstrip()
            if before.endswith(("...", "…")):
                return True
    return False


def has_quote(f: Field) -> bool:
    return any(t.kind == "quote" for t in f.tokens)


def surface(f: Field, t0: int, t1: int) -> str:
    return f.text[f.tokens[t0].start:f.tokens[t1].end]


def span_of(f: Field, t0: int, t1: int) -> tuple[int, int]:
    return (f.tokens[t0].start, f.tokens[t1].end)


def evidence_at(f: Field, t0: int, t1: int, cue: str, cid: str | None, w: float) -> Evidence:
    return new_evidence(cue=cue, text=surface(f, t0, t1), field=f.name, contestant=cid, weight=round(w, 2), span=span_of(f, t0, t1))


def attach(sc: Scored, pol: str, ev: Evidence, w: float) -> None:
    """Record the reference itself as evidence next to the cue that scored it (same weight, not double-counted)."""
    target = sc.support if pol == "support" else sc.oppose
    target.append((0.0, evidence_with(ev, weight=round(w, 2))))


def across(markers: list[Hit], starts: list[int], t0: int, t1: int, r0: int, r1: int) -> bool:
    """Whether a contrast marker stands between a cue (t0..t1) and a reference (r0..r1).

    Markers do not overlap and are sorted, so the first one starting after ``lo`` decides (a bisection)."""
    lo, hi = (t1, r0) if t1 < r0 else (r1, t0)
    k = bisect.bisect_right(starts, lo)
    return k < len(markers) and markers[k].t1 < hi
