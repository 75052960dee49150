"""Frames and acts around the references: content *about* partisanship (news, reports, reminders,
fact-checks, reported speech, a pasted headline) is discounted; acts of an SKB form, engagement with a
campaign account and joining a campaign group count as support."""
from __future__ import annotations

from typing import NamedTuple

from services.classify.domain import lexicon
from services.classify.domain import weights as W
from services.classify.domain.fields import (Field, Hit, Ref, Scored, combine, evidence_at, evidence_with, has_quote,
                                             new_evidence, pasted_headline)
from services.classify.domain.normalise import handle_key
from shared.schemas import ContentRecord, Evidence


class FrameReading(NamedTuple):
    """How much of a record's evidence is the poster's own taking of sides.

    ``factor`` scales every rule cue; ``tag_factor`` the campaign hashtags, which a headline, news words or
    reported speech do not discount (the poster adds them: the buzzer template) but reports, reminders,
    fact-checks and questions do; ``model_factor`` the target model's probability, for the frames it sees
    too rarely in training (``lexicon.MODEL_DISCOUNT_FRAMES``, a pasted headline, a news source); it reads
    news words, quotes and fact-check words ("fakta", "salah": everyday words of real attacks) itself."""

    factor: float
    tag_factor: float
    model_factor: float
    evidence: list[Evidence]


class Frames:
    """Mixin of the Classifier."""

    def _frames(self, fields: list[Field], source: str) -> FrameReading:
        """The discount of content *about* partisanship, per kind of evidence (see FrameReading)."""
        factor = tag_factor = model_factor = 1.0
        evidence: list[Evidence] = []
        found: dict[str, list[Hit]] = {}
        for f in fields:
            excepted = {i for h in f.hits if h.kind == "frame_exception" for i in range(h.t0, h.t1 + 1)}
            for h in f.hits:
                if h.kind == "frame" and not (excepted and h.t0 in excepted and h.t1 in excepted):
                    found.setdefault(h.key, []).append(h)
                    if len(evidence) < 3:
                        evidence.append(evidence_at(f, h.t0, h.t1, f"frame:{h.key}", None, 0.0))
        for name, hits in found.items():
            strong = any(h.strong for h in hits)
            if name == "reported_speech" and not any(any(f.quoted) or has_quote(f) for f in fields):
                f_factor = 0.8
            elif strong or len(hits) >= 2:
                f_factor = lexicon.FRAME_FACTORS[name]
            else:
                f_factor = 0.75
            factor = min(factor, f_factor)
            if name not in lexicon.OTHERS_WORDS_FRAMES:
                tag_factor = min(tag_factor, f_factor)
            if name in lexicon.MODEL_DISCOUNT_FRAMES:
                model_factor = min(model_factor, f_factor)
        headline = next((f for f in fields if f.name == "text" and pasted_headline(f)), None)
        if headline is not None:
            factor = model_factor = min(factor, lexicon.FRAME_FACTORS["headline"])
            evidence.append(new_evidence(cue="frame:headline", text=headline.text[:80], field=headline.name))
        advertorial = next(((f, h) for f in fields for h in f.hits if h.kind == "advertorial"), None)
        if advertorial is not None:
            # paid campaign content on a news site: neither the news source nor news words discount it
            f, h = advertorial
            evidence.append(evidence_at(f, h.t0, h.t1, "frame:advertorial", None, 0.0))
            factor = max(factor, 1.0 if not found.keys() - lexicon.OTHERS_WORDS_FRAMES else factor)
            return FrameReading(factor, max(tag_factor, factor), max(model_factor, factor), evidence)
        if source == "news":
            factor = tag_factor = model_factor = min(factor, 0.45)
            evidence.append(new_evidence(cue="frame:news_source", text=source, field="source"))
        return FrameReading(factor, tag_factor, model_factor, evidence)

    def _engagement_targets(self, record: ContentRecord) -> dict[str, tuple[float, Evidence]]:
        """A campaign account (configured, or a volunteer/team handle naming a contestant) as target."""
        out: dict[str, tuple[float, Evidence]] = {}
        handle = record.target.handle if record.target else None
        if not handle:
            return out
        key = handle_key(handle)
        if key in self.accounts:
            cid = self.accounts[key]
            w = W.CAMPAIGN_ACCOUNT
            out[cid] = (w, new_evidence(cue="campaign_account", text=handle, field="target.handle", contestant=cid, weight=w))
            return out
        if any(w in key for w in lexicon.CAMPAIGN_ACCOUNT_WORDS):
            for sub, cid, ambiguous in self.handle_names:
                if sub in key:
                    w = W.CAMPAIGN_ACCOUNT_LIKE
                    out[cid] = (w, new_evidence(cue="campaign_account_like", text=handle, field="target.handle",
                                                contestant=cid, weight=w))
        return out

    @staticmethod
    def _act_targets(refs: list[Ref]) -> set[str]:
        """The contestants an SKB act in the record would be support for: named plainly, not quoted, at most three."""
        named = {r.contestant for r in refs
                 if r.kind in ("mention", "mention_ambiguous", "acronym", "hashtag", "campaign_account", "ballot_number", "gesture")
                 and not r.quoted}
        return named if len(named) <= 3 else set()

    def _form_acts(self, form_cues: list, named: set[str], scored: dict) -> None:
        """An SKB act (attending, putting up props, joining a team...) naming a contestant is support in itself."""
        if not form_cues:
            return
        form, ev = form_cues[0]
        for cid in named:
            sc = scored.setdefault(cid, Scored())
            if combine([w for w, _ in sc.oppose]) >= 0.6:
                continue
            sc.support.append((W.ACT, evidence_with(ev, contestant=cid, weight=W.ACT, cue=f"act:{form}")))

    def _group_cue(self, fields: list[Field], scored: dict) -> None:
        """Following/joining a page that names a contestant and a campaign group word is joining the campaign."""
        for f in fields:
            groups = [h for h in f.hits if h.kind == "group"]
            names = [h for h in f.hits if h.kind == "name"]
            if groups and names:
                for h in names:
                    sc = scored.setdefault(h.contestant, Scored())
                    sc.support.append((W.CAMPAIGN_GROUP, evidence_at(f, h.t0, h.t1, "campaign_group", h.contestant, W.CAMPAIGN_GROUP)))


def scale(scored: dict, factor: float, tag_factor: float) -> dict:
    """Frame discounts: campaign hashtags by ``tag_factor``, everything else by ``factor``."""
    if factor >= 1.0 and tag_factor >= 1.0:
        return scored

    def scaled(items):
        return [(w * (tag_factor if e.cue in _TAG_CUES else factor), e) for w, e in items]
    return {cid: Scored(scaled(sc.support), scaled(sc.oppose)) for cid, sc in scored.items()}


_TAG_CUES = frozenset(("hashtag", "oppose_hashtag"))


def merge(a: dict, b: dict) -> dict:
    out: dict[str, Scored] = {}
    for src in (a, b):
        for cid, sc in src.items():
            m = out.setdefault(cid, Scored())
            m.support.extend(sc.support)
            m.oppose.extend(sc.oppose)
    return out
