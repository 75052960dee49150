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

import re

from services.classify.domain import lexicon
from shared.schemas import ContentRecord, Evidence


class FormDetector:
    """All form cues in one compiled alternation, read in one pass over each field (no per-rule rescans).

    Each alternative is a zero-width lookahead with its own named group, in priority order, so at each
    position the most specific form that matches there is reported; the first match of every form found
    is kept. (A less specific form starting at the very same position as a more specific one is not
    reported; only the most specific form decides.)"""

    def __init__(self) -> None:
        self.group_form: dict[str, str] = {}
        alts = []
        for form in lexicon.FORM_PRIORITY:
            for k, pat in enumerate(lexicon.FORM_CUES[form]):
                name = f"f{len(self.group_form)}"
                self.group_form[name] = form
                alts.append(f"(?P<{name}>{pat})")
        self.all_forms = re.compile("(?=" + "|".join(alts) + ")")
        self.addressees = re.compile("|".join(f"(?:{p})" for p in lexicon.MOBILIZATION_ADDRESSEES))
        self.appeal = re.compile("|".join(f"(?:{p})" for p in lexicon.APPEAL_CUES))

    def cues(self, fields: list) -> list[tuple[str, Evidence]]:
        """Every specific-form cue found in the author's own fields, in priority order."""
        per_form: dict[str, list] = {}
        for f in fields:
            norm, offsets = _norm_with_offsets(f)
            seen: set[str] = set()
            for m in self.all_forms.finditer(norm):
                name = m.lastgroup
                form = self.group_form[name]
                if form not in seen:
                    seen.add(form)
                    per_form.setdefault(form, []).append((f, offsets, m.start(name), m.end(name), m.group(name)))
            if "mobilization" not in seen:
                m = self._addressed_appeal(norm)
                if m:
                    per_form.setdefault("mobilization", []).append((f, offsets, m.start(), m.end(), m.group()))
        found = []
        for form in lexicon.FORM_PRIORITY:
            for f, offsets, a, b, matched in per_form.get(form, ()):
                span = _to_span(f, offsets, a, b)
                text = f.text[span[0]:span[1]] if span else matched
                found.append((form, Evidence(cue=f"form:{form}", text=text, field=f.name, weight=0.0, span=span)))
        return found

    def _addressed_appeal(self, norm: str):
        """An addressee (staff, teachers, residents...) counts as mobilisation only with an appeal to act in the same field."""
        m = self.addressees.search(norm)
        if m:
            return m if self.appeal.search(norm) else None
        return None

    def detect(self, record: ContentRecord, fields: list, evidence: list[Evidence], engagement: bool) -> tuple[str, list[Evidence]]:
        """Engagement acts first; a comment's own words can name a more specific act (membership, team...)."""
        if engagement and record.kind != "comment":
            return "engagement", []
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


def _norm_with_offsets(f) -> tuple[str, list[int]]:
    """Normalised text of a field and, per character, the index of the token it came from."""
    parts, owner = [], []
    for i, t in enumerate(f.tokens):
        if t.kind in ("url", "quote"):
            continue
        if t.kind == "hashtag" or t.kind == "mention":
            continue
        piece = t.norm if t.kind != "stop" else "."
        if parts:
            parts.append(" ")
            owner.append(-1)
        parts.append(piece)
        owner.extend([i] * len(piece))
    return "".join(parts), owner


def _to_span(f, owner: list[int], start: int, end: int) -> tuple[int, int] | None:
    toks = [owner[i] for i in range(start, min(end, len(owner))) if owner[i] >= 0]
    if not toks:
        return None
    return (f.tokens[toks[0]].start, f.tokens[toks[-1]].end)
