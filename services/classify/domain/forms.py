"""SKB 2022 (Lampiran II) violation form of a partisan item.

Why a priority order: one item often carries several cues (a photo at a rally wearing a campaign
shirt). We report the most specific act, in the order the SKB sanctions weigh them and analysts file
them: the act of engaging (like/share/follow/join, or a comment on a campaign account) first, then
membership, team roles, support letters, official decisions, mobilisation, attendance, props, photos,
and plain social-media campaigning last. Mobilisation needs an appeal to act (ajak, ayo/mari, pilih,
coblos, menangkan...) addressed to staff, residents, students...: a greeting to "bapak ibu guru" next to
a partisan photo is a partisan photo, not mobilisation.
"""
from __future__ import annotations

import bisect
import re

import ahocorasick

from services.classify.domain import lexicon
from services.classify.domain.fields import new_evidence
from services.classify.domain.normalise import joined_starts
from shared.schemas import ContentRecord, Evidence

_UNREAD = frozenset(("url", "quote", "hashtag", "mention"))  # tokens the form patterns do not read


class FormDetector:
    """Form cues found with one multi-pattern pass, then checked only where they can match.

    Every cue pattern needs at least one of its literal words in the text. One Aho-Corasick pass over a
    field's normalised text finds which literal words occur; only the patterns owning one of them are
    run (usually none or a few), so the cost is one pass plus a constant, not one scan per rule."""

    def __init__(self) -> None:
        self.patterns: list[tuple[str, re.Pattern]] = []
        owners: dict[str, set[int]] = {}
        for form in lexicon.FORM_PRIORITY:
            for pat in lexicon.FORM_CUES[form]:
                idx = len(self.patterns)
                self.patterns.append((form, re.compile(pat)))
                for word in set(re.findall(r"[a-z]{2,}", re.sub(r"\\[a-zA-Z]", " ", pat))):
                    owners.setdefault(word, set()).add(idx)
        self.anchors = ahocorasick.Automaton()
        for word, idxs in owners.items():
            self.anchors.add_word(word, frozenset(idxs))
        self.anchors.make_automaton()
        self.addressees = re.compile("|".join(f"(?:{p})" for p in lexicon.MOBILIZATION_ADDRESSEES))
        self.appeal = re.compile("|".join(f"(?:{p})" for p in lexicon.APPEAL_CUES))

    def cues(self, fields: list) -> list[tuple[str, Evidence]]:
        """Every specific-form cue found in the author's own fields, in priority order."""
        per_form: dict[str, list] = {}
        for f in fields:
            norm, offsets = _norm_with_offsets(f)
            candidates: set[int] = set().union(*{idxs for _, idxs in self.anchors.iter(norm)})  # each owner set once
            seen: set[str] = set()
            for idx in sorted(candidates):  # priority order: patterns are numbered form by form
                form, pat = self.patterns[idx]
                if form in seen:
                    continue
                m = pat.search(norm)
                if m:
                    seen.add(form)
                    per_form.setdefault(form, []).append((f, offsets, m.start(), m.end(), m.group()))
            if "mobilization" not in seen:
                m = self._addressed_appeal(norm)
                if m:
                    per_form.setdefault("mobilization", []).append((f, offsets, m.start(), m.end(), m.group()))
        found = []
        for form in lexicon.FORM_PRIORITY:
            for f, offsets, a, b, matched in per_form.get(form, ()):
                span = _to_span(f, offsets, a, b)
                text = f.text[span[0]:span[1]] if span else matched
                found.append((form, new_evidence(cue=f"form:{form}", text=text, field=f.name, weight=0.0, span=span)))
        return found

    def _addressed_appeal(self, norm: str):
        """An addressee (staff, teachers, residents...) counts as mobilisation only with an appeal to act in the same field."""
        m = self.addressees.search(norm)
        if m:
            return m if self.appeal.search(norm) else None
        return None

    def detect(self, record: ContentRecord, fields: list, evidence: list[Evidence], engagement: bool,
               specific: list | None = None) -> tuple[str, list[Evidence]]:
        """Engagement acts first; a comment's own words can name a more specific act (membership, team...).

        ``specific``: the cues of ``fields`` when the caller already has them (they are computed once per record)."""
        if engagement and record.kind != "comment":
            return "engagement", []
        if specific is None:
            specific = self.cues(fields)
        if specific:
            return specific[0][0], [specific[0][1]]
        if engagement:
            return "engagement", []
        return self._fallback(evidence)

    def _fallback(self, evidence: list[Evidence]) -> tuple[str, list[Evidence]]:
        if any(e.field.startswith("media") for e in evidence if e.weight >= 0.25):
            return "partisan_photo", []
        return "social_media_campaign", []


def _norm_with_offsets(f) -> tuple[str, tuple[list[int], list[int]]]:
    """Normalised text of a field and where each kept token starts in it (with the token's index)."""
    parts, idx = [], []
    for i, t in enumerate(f.tokens):
        kind = t.kind
        if kind not in _UNREAD:
            idx.append(i)
            parts.append(t.norm if kind != "stop" else ".")
    return " ".join(parts), (joined_starts(parts), idx)


def _to_span(f, offsets: tuple[list[int], list[int]], start: int, end: int) -> tuple[int, int] | None:
    starts, idx = offsets
    if not starts or end <= start:
        return None
    k0 = bisect.bisect_right(starts, start) - 1
    if k0 < 0 or start >= starts[k0] + len(f.tokens[idx[k0]].norm if f.tokens[idx[k0]].kind != "stop" else "."):
        k0 += 1  # the match starts on the space before a token
    k1 = bisect.bisect_right(starts, end - 1) - 1
    if k0 >= len(idx) or k1 < k0:
        return None
    return (f.tokens[idx[k0]].start, f.tokens[idx[k1]].end)
