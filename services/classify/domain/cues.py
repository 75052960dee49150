"""Cues and how they score references: support/oppose words near a reference (same sentence, negation,
third person, quotes), contrast markers between contestants ("mending X", "X daripada Y"), and cues that
reach the only contestant a post names."""
from __future__ import annotations

import bisect

from services.classify.domain import lexicon
from services.classify.domain import weights as W
from services.classify.domain.fields import Field, Hit, Ref, Scored, across, attach, evidence_at, new_evidence
from services.classify.domain.references import enumerated_numbers
from shared.schemas import ContentRecord


class Cues:
    """Mixin of the Classifier: scores each contestant a field references from the cues around it."""

    def _score(self, fields: list[Field], context: bool, record: ContentRecord | None,
               labels: list[tuple[str, str]], num_context: bool | None = None,
               voted: bool = False) -> tuple[dict[str, Scored], list[Ref]]:
        scored: dict[str, Scored] = {}
        all_refs: list[Ref] = []
        upper_doc = self._upper_doc(fields) if self._names_an_acronym(fields) else False
        for f in fields:
            refs = self._refs(f, context, upper_doc, context if num_context is None else num_context)
            if voted:  # the inked finger after voting: a gesture shows that the author voted, not for whom
                refs = [r for r in refs if r.kind not in ("gesture", "gesture_emoji", "gesture_combo")]
            for r in refs:
                r.quoted = f.quoted[r.t0]
            all_refs.extend(refs)
            cues = self._cues(f)
            markers = contrast_markers(f) if any(h.kind == "contrast" for h in f.hits) else []
            contrast = self._contrast(f, refs, markers, cues) if markers else {}
            set_aside = {rid: max(t1 for pol, _, _, t1 in items if pol == "oppose")
                         for rid, items in contrast.items() if any(pol == "oppose" for pol, _, _, _ in items)}
            starts = [m.t0 for m in markers]
            enumerated = enumerated_numbers(refs, markers, starts)
            used_cues: set[int] = set()
            # cues by position, so each reference looks only at the cues near it (linear, not refs x cues)
            order = sorted(range(len(cues)), key=lambda ci: cues[ci][2])
            cue_t0 = [cues[ci][2] for ci in order]
            cue_reach = max((c[3] - c[2] for c in cues), default=0)
            neg_end = {h.t1 for h in f.hits if h.kind == "negator" and h.key not in ("usah",)}
            neg_exc = {i for h in f.hits if h.kind == "neg_exception" for i in range(h.t0 + 1, h.t1 + 2)}
            for r in refs:
                sc = scored.setdefault(r.contestant, Scored())
                base_ev = new_evidence(cue=r.kind, text=r.text, field=f.name, contestant=r.contestant,
                                   weight=round(max(r.support, r.oppose), 2), span=r.span)
                qf = W.QUOTED if f.quoted[r.t0] else 1.0
                if r.support:
                    sc.support.append((r.support * qf, base_ev))
                if r.oppose:
                    sc.oppose.append((r.oppose * qf, base_ev))
                if r.kind in ("hashtag", "oppose_hashtag"):
                    continue
                negated_ref = (r.t0 - 1) in neg_end and r.t0 not in neg_exc
                bare_gesture = not context and r.kind in ("gesture_emoji", "gesture_combo")
                before, after = W.ENUMERATION_WINDOW if id(r) in enumerated else (W.WINDOW_BEFORE, W.WINDOW_AFTER)
                lo = bisect.bisect_left(cue_t0, r.t0 - before - cue_reach)
                hi = bisect.bisect_right(cue_t0, r.t1 + after)
                near = sorted(order[lo:hi])
                f.work += len(near)
                for ci in near:
                    pol, w, t0, t1, key = cues[ci]
                    if f.sentence[t0] != f.sentence[r.t0]:
                        continue
                    if not (r.t0 - before <= t1 and t0 <= r.t1 + after) or (t0 >= r.t0 and t1 <= r.t1):
                        continue
                    if (markers and across(markers, starts, t0, t1, r.t0, r.t1)) or (
                            pol == "support" and t0 > set_aside.get(id(r), len(f.tokens))) or (
                            bare_gesture and key.removeprefix("not ") not in lexicon.ELECTION_VERBS):
                        # a contrast marker closes the clause ("02 itu ..., mending 03"); a contestant set aside
                        # takes no support from its own clause ("mending golput daripada pilih 02"); a gesture
                        # emoji with no election context is a vote only next to an election verb ("makasih ✌️ mantap")
                        used_cues.add(ci)
                        continue
                    dist = min(abs(t0 - r.t1), abs(r.t0 - t1))
                    wd = w * (W.NEAR_CUE if dist <= 2 else W.FAR_CUE)
                    if f.quoted[t0] or f.quoted[r.t0]:
                        wd *= W.QUOTED
                    if negated_ref and pol == "support":
                        pol = "oppose"
                    ev = evidence_at(f, t0, t1, "support_cue" if pol == "support" else "oppose_cue", r.contestant, wd)
                    if pol == "support":
                        sc.support.append((wd, ev))
                    else:
                        sc.oppose.append((wd, ev))
                    attach(sc, pol, base_ev, wd)
                    used_cues.add(ci)
                for pol, w, t0, t1 in contrast.get(id(r), ()):
                    wd = w * (W.QUOTED if f.quoted[t0] or f.quoted[r.t0] else 1.0)
                    (sc.support if pol == "support" else sc.oppose).append((wd, evidence_at(f, t0, t1, "contrast", r.contestant, wd)))
                    attach(sc, pol, base_ev, wd)
            self._score_unattached(f, cues, used_cues, all_refs, scored)
        self._score_media(fields, labels, all_refs, context, voted, scored)
        return scored, all_refs


    @staticmethod
    def _score_unattached(f: Field, cues: list, used_cues: set[int], all_refs: list[Ref],
                          scored: dict[str, Scored]) -> None:
        """Cues not near any reference go to the single contestant referenced in this content, weaker."""
        cids = {r.contestant for r in all_refs}
        if len(cids) != 1:
            return
        (cid,) = cids
        sc = scored[cid]
        for ci, (pol, w, t0, t1, key) in enumerate(cues):
            if ci in used_cues or w < W.UNATTACHED_MIN or f.quoted[t0] or key in lexicon.PARTICLES:
                continue
            wd = w * W.UNATTACHED_CUE
            ev = evidence_at(f, t0, t1, "support_cue" if pol == "support" else "oppose_cue", cid, wd)
            (sc.support if pol == "support" else sc.oppose).append((wd, ev))

    def _score_media(self, fields: list[Field], labels: list[tuple[str, str]], all_refs: list[Ref], context: bool,
                     voted: bool, scored: dict[str, Scored]) -> None:
        """Media: gesture image labels, and "photo with" or wearing the attributes of a named contestant."""
        named = {r.contestant for r in all_refs if r.kind in ("mention", "acronym", "hashtag", "ballot_number", "campaign_account")}
        for fld, label in labels:
            key = label.lower().replace("_", " ").strip()
            if key in self.image_labels and not voted:
                cid = self.image_labels[key]
                w = W.IMAGE_LABEL[0] if (cid in named or context) else W.IMAGE_LABEL[1]
                ev = new_evidence(cue="image_label", text=label, field=fld, contestant=cid, weight=w)
                scored.setdefault(cid, Scored()).support.append((w, ev))
        for f in fields:
            if not f.name.startswith("media"):
                continue
            attr = next((h for h in f.hits if h.kind == "attribute"), None)
            h = attr or next((h for h in f.hits if h.kind == "photo_with"), None)
            if h is not None:
                # wearing or showing a contestant's attributes weighs more than standing next to a name
                cue, w = ("partisan_attribute", W.PARTISAN_ATTRIBUTE) if attr is not None else ("photo_with_contestant", W.PHOTO_WITH)
                for r in all_refs:
                    if r.field == f.name and r.kind in ("mention", "acronym", "ballot_number"):
                        ev = evidence_at(f, h.t0, h.t1, cue, r.contestant, w)
                        scored[r.contestant].support.append((w, ev))
                        attach(scored[r.contestant], "support", new_evidence(cue=r.kind, text=r.text, field=f.name,
                                                                           contestant=r.contestant, span=r.span), w)

    def _contrast(self, f: Field, refs: list[Ref], markers: list[Hit],
                  cues: list[tuple[str, float, int, int, str]]) -> dict[int, list[tuple[str, float, int, int]]]:
        """Contrast markers between contestants of one race: (id of ref) -> [(polarity, weight, marker span)].

        "mending/lebih baik X" backs the contestant named right after the marker and sets aside the other
        contestants of its race named before the marker in the sentence; "X lebih baik dari Y" and, in a
        sentence that makes a choice, "X daripada/ketimbang Y" back the nearest one before (in the same
        clause) and set aside the first one after. A marker with no contestant right after it backs nobody
        ("mending golput"); a choice made by someone named before a choosing verb is discounted as theirs.
        """
        out: dict[int, list[tuple[str, float, int, int]]] = {}
        cand = [r for r in refs if r.kind not in ("hashtag", "oppose_hashtag", "oppose_phrase")]
        # sentences where someone named right before a choosing verb makes the choice ("Jokowi lebih memilih X")
        attributed = {f.sentence[m.t0] for m in markers if m.key in lexicon.CONTRAST_CHOOSING and m.t0 > 0 and (
            f.tokens[m.t0 - 1].norm in lexicon.THIRD_PERSON or any(r.t1 == m.t0 - 1 for r in cand))}
        # everything below is looked up per sentence (sentences are at most MAX_SENTENCE tokens), never across the field
        refs_in: dict[int, list[Ref]] = {}
        for r in cand:
            refs_in.setdefault(f.sentence[r.t0], []).append(r)
        markers_in: dict[int, list[Hit]] = {}
        for o in markers:
            markers_in.setdefault(f.sentence[o.t0], []).append(o)
        strong_cue_in = {f.sentence[t0] for _, w, t0, _, _ in cues if w >= 0.5}
        for k, m in enumerate(markers):
            role, back_w, aside_w = self.contrast_roles[m.key]
            sid = f.sentence[m.t0]
            if sid in attributed:
                back_w, aside_w = back_w * 0.2, aside_w * 0.2
            same = refs_in.get(sid, [])
            peers = markers_in[sid]
            f.work += len(same) + len(peers)
            opened = max((o.t1 for o in peers if o.t1 < m.t0), default=-1)
            if role == "comparator":
                choice = sid in strong_cue_in or any(
                    o is not m and self.contrast_roles[o.key][0] != "comparator" for o in peers)
                if not choice:
                    continue
            stop = markers[k + 1].t0 if k + 1 < len(markers) else len(f.tokens)
            after = [r for r in same if m.t1 < r.t0 <= m.t1 + W.CONTRAST_REACH and r.t0 < stop]
            if not after:
                continue
            first = after[0].contestant
            race = self.race_of.get(first)
            before = [r for r in same if r.t1 < m.t0 and r.contestant != first and self.race_of.get(r.contestant) == race]
            if role == "prefer":
                backed, aside = {first}, {r.contestant for r in before}
            else:  # the one backed stands in the clause right before the marker
                backed = {before[-1].contestant} if before and before[-1].t0 > opened else set()
                aside = {first}
            for r in same:
                if r.contestant in backed and (opened < r.t0 and r.t1 < m.t0 if role != "prefer" else r in after):
                    out.setdefault(id(r), []).append(("support", back_w, m.t0, m.t1))
                elif r.contestant in aside and (r in after if role != "prefer" else r.t1 < m.t0):
                    out.setdefault(id(r), []).append(("oppose", aside_w, m.t0, m.t1))
        return out

    def _cues(self, f: Field) -> list[tuple[str, float, int, int, str]]:
        """Support/oppose cues of a field after negation, exceptions and third-person handling."""
        lex = [h for h in f.hits if h.kind in ("support", "oppose", "negator", "neg_exception")]
        lex.sort(key=lambda h: -(h.t1 - h.t0))
        taken: set[int] = set()
        kept: list[Hit] = []
        for h in lex:
            span = set(range(h.t0, h.t1 + 1))
            if span & taken and h.kind != "negator":
                continue
            if h.kind in ("neg_exception",) or (h.t1 > h.t0):
                taken |= span
            kept.append(h)
        neg_by_end: dict[int, list[Hit]] = {}
        for h in kept:
            if h.kind == "negator":
                neg_by_end.setdefault(h.t1, []).append(h)
        out = []
        for h in kept:
            if h.kind not in ("support", "oppose"):
                if h.kind == "neg_exception" and h.key in ("jangan lupa", "tidak ada obat", "tidak pakai mikir"):
                    out.append(("support", lexicon.SUPPORT.get(h.key, 0.55), h.t0, h.t1, h.key))
                continue
            negated = any(f.sentence[n.t1] == f.sentence[h.t0] and not (set(range(n.t0, n.t1 + 1)) & taken)
                          for end in (h.t0 - 1, h.t0 - 2) for n in neg_by_end.get(end, ()))
            w = h.weight
            if h.kind == "support" and negated and (h.key in lexicon.NEGATABLE or w >= 0.5):
                out.append(("oppose", max(w, 0.75), h.t0, h.t1, "not " + h.key))
                continue
            if h.kind == "oppose" and negated:
                continue
            if h.kind == "support" and h.key in lexicon.PRAISE and mocked(f, h):
                out.append(("oppose", max(w, 0.6), h.t0, h.t1, "mock " + h.key))
                continue
            if w <= 0:
                continue
            prev = {f.tokens[j].norm for j in range(max(0, h.t0 - 2), h.t0)}
            if prev & lexicon.THIRD_PERSON or (
                    h.key in lexicon.ELECTION_VERBS and prev & lexicon.RELATIVE and not prev & lexicon.FIRST_PERSON):
                w *= W.THIRD_PERSON
            out.append((h.kind, w, h.t0, h.t1, h.key))
        against = {f.sentence[t0] for pol, w, t0, _, _ in out if pol == "oppose" and w >= W.PARTICLE_VETO}
        if against:
            # "liat mukanya aja udah muak": next to an evaluation against, a particle is emphasis, not a vote
            out = [c for c in out if not (c[0] == "support" and c[4] in lexicon.PARTICLES and f.sentence[c[2]] in against)]
        return out


def mocked(f: Field, h: Hit) -> bool:
    """Praise taken back: "sok" right before it, or "doang" shortly after it in the same sentence."""
    toks = f.tokens
    if h.t0 > 0 and toks[h.t0 - 1].norm in lexicon.MOCKING_BEFORE:
        return True
    sid = f.sentence[h.t1]
    return any(toks[j].norm in lexicon.RESTRICTING_AFTER and f.sentence[j] == sid
               for j in range(h.t1 + 1, min(len(toks), h.t1 + 1 + lexicon.RESTRICT_REACH)))


def contrast_markers(f: Field) -> list[Hit]:
    """Contrast markers of a field, longest first where they overlap ("lebih baik dari" over "lebih baik"), in order."""
    hits = sorted((h for h in f.hits if h.kind == "contrast"), key=lambda h: -(h.t1 - h.t0))
    taken: set[int] = set()
    kept = []
    for h in hits:
        span = set(range(h.t0, h.t1 + 1))
        if span & taken:
            continue
        taken |= span
        kept.append(h)
    return sorted(kept, key=lambda h: h.t0)
