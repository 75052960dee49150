"""Contestant references: names, nicknames, acronyms, hashtags, accounts (and the reply chain), ballot
numbers, gestures, slogans; with the checks that keep ordinary words ("amin" the prayer, "14 Februari",
a peace sign) from becoming one."""
from __future__ import annotations

from services.classify.domain import lexicon
from services.classify.domain import weights as W
from services.classify.domain.fields import Field, Hit, Ref, across, is_prayer, reply_chain, span_of, surface
from services.classify.domain.normalise import normalise_phrase


class References:
    """Mixin of the Classifier: reads the lookup tables built in ``Classifier.__init__``."""

    _REF_HITS = frozenset(("name", "ambiguous", "gesture", "slogan", "oppose_phrase"))

    def _may_refer(self, f: Field) -> bool:
        """Whether a field holds anything that can become a contestant reference (see ``_refs``)."""
        ref_hits = self._REF_HITS
        if any(h.kind in ref_hits for h in f.hits):
            return True
        for t in f.tokens:
            kind = t.kind
            if kind == "word":
                if t.text in self.acronyms:
                    return True
            elif kind == "number":
                if int(t.norm) in self.numbers:
                    return True
            elif kind == "hashtag":
                if t.text[1:].lower() in self.hashtags:
                    return True
            elif kind == "mention":
                if t.norm[1:] in self.accounts:
                    return True
            elif kind == "emoji" and (t.norm in self.emoji or t.norm in self.combo_emoji):
                return True
        return False

    def _has_context(self, fields: list[Field]) -> bool:
        for f in fields:
            for h in f.hits:
                if h.kind in ("context", "name") or (h.kind == "slogan" and h.strong) or (
                        h.kind == "gesture" and h.key.startswith("salam")):  # "pose dua jari" alone is no election talk
                    return True
            for t in f.tokens:
                if t.kind == "hashtag" and t.text[1:].lower() in self.hashtags:
                    return True
                if t.kind == "mention" and t.norm[1:] in self.accounts:
                    return True
        return False

    def _refs(self, f: Field, context: bool, upper_doc: bool, num_context: bool) -> list[Ref]:
        refs: list[Ref] = []
        strong_cue_tokens = {i for h in f.hits if h.kind in ("support", "oppose") and h.weight >= 0.6
                             and h.key not in lexicon.DERISION for i in range(h.t0, h.t1 + 1)}
        for h in f.hits:
            if h.kind == "name":
                if namesake(f, h.t0, h.t1):
                    continue
                refs.append(Ref(h.contestant, "mention", f.name, h.t0, h.t1, surface(f, h.t0, h.t1), span_of(f, h.t0, h.t1)))
            elif h.kind == "ambiguous":
                near = any(i in strong_cue_tokens for i in range(max(0, h.t0 - 3), h.t1 + 3))
                if (context or near) and not (h.key in lexicon.PRAYER_WORDS and is_prayer(f, h.t0)):
                    refs.append(Ref(h.contestant, "mention_ambiguous", f.name, h.t0, h.t1, surface(f, h.t0, h.t1), span_of(f, h.t0, h.t1)))
            elif h.kind == "gesture" and (context or h.key.startswith("salam")):
                # "pose dua jari" at a graduation is a peace sign; "salam dua jari" is the salute itself
                refs.append(Ref(h.contestant, "gesture", f.name, h.t0, h.t1, surface(f, h.t0, h.t1), span_of(f, h.t0, h.t1),
                                support=W.GESTURE_PHRASE))
            elif h.kind == "slogan":
                w = W.SLOGAN[0] if h.strong else (W.SLOGAN[1] if context else 0.0)
                if w:
                    refs.append(Ref(h.contestant, "slogan", f.name, h.t0, h.t1, surface(f, h.t0, h.t1),
                                    span_of(f, h.t0, h.t1), support=w))
            elif h.kind == "oppose_phrase":
                w = W.OPPOSE_PHRASE[0] if h.strong else (W.OPPOSE_PHRASE[1] if context else 0.0)
                if w:
                    refs.append(Ref(h.contestant, "oppose_phrase", f.name, h.t0, h.t1, surface(f, h.t0, h.t1),
                                    span_of(f, h.t0, h.t1), oppose=w))
        named = {r.contestant for r in refs if r.kind == "mention"}
        if named:  # a weak slogan ("perubahan") next to another contestant's name is that contestant's talk
            refs = [r for r in refs if not (r.kind == "slogan" and r.support <= W.SLOGAN[1] and r.contestant not in named and any(
                self.race_of.get(n) == self.race_of.get(r.contestant) for n in named))]
        combos = self._emoji_combos(f) if self.emoji_combos else {}
        in_combo = -1
        chain = reply_chain(f) if f.name == "text" else 0
        for i, t in enumerate(f.tokens):
            if t.kind == "hashtag":
                tag = t.text[1:].lower()
                if tag in self.hashtags:
                    cid, pol = self.hashtags[tag]
                    r = Ref(cid, "hashtag" if pol == "support" else "oppose_hashtag", f.name, i, i, t.text, (t.start, t.end))
                    if pol == "support":
                        r.support = W.HASHTAG
                    else:
                        r.oppose = W.HASHTAG
                    refs.append(r)
            elif t.kind == "mention" and t.norm[1:] in self.accounts:
                # a reply opens with the chain of accounts it answers: the author's words that follow are about them
                kind = "reply_target" if i < chain else "campaign_account"
                refs.append(Ref(self.accounts[t.norm[1:]], kind, f.name, i, i, t.text, (t.start, t.end)))
            elif t.kind == "word" and t.text.isupper() and not upper_doc and t.text in self.acronyms and not (
                    t.norm in lexicon.PRAYER_WORDS and is_prayer(f, i)):
                refs.append(Ref(self.acronyms[t.text], "acronym", f.name, i, i, t.text, (t.start, t.end)))
            elif t.kind == "emoji" and i in combos:
                cid, j = combos[i]
                refs.append(Ref(cid, "gesture_combo", f.name, i, j, surface(f, i, j), span_of(f, i, j),
                                support=W.GESTURE_COMBO[0] if context else W.GESTURE_COMBO[1]))
                in_combo = j
            elif t.kind == "emoji" and i > in_combo and t.norm in self.emoji:
                refs.append(Ref(self.emoji[t.norm], "gesture_emoji", f.name, i, i, t.text, (t.start, t.end),
                                support=W.GESTURE_EMOJI[0] if context else W.GESTURE_EMOJI[1]))
            elif t.kind == "number":
                r = self._number_ref(f, i, num_context, refs)
                if r:
                    refs.append(r)
        return refs

    def _emoji_combos(self, f: Field) -> dict[int, tuple[str, int]]:
        """Configured emoji combinations written together (only whitespace between): start -> (contestant, end).

        Longest combination first, left to right; the emoji inside one are not read on their own.
        """
        out: dict[int, tuple[str, int]] = {}
        toks, n = f.tokens, len(f.tokens)
        i = 0
        while i < n:
            if toks[i].kind != "emoji":
                i += 1
                continue
            j = i
            while j + 1 < n and toks[j + 1].kind == "emoji" and not f.text[toks[j].end:toks[j + 1].start].strip():
                j += 1
            k = i
            while k < j:
                for length in range(min(self.combo_max, j - k + 1), 1, -1):
                    cid = self.emoji_combos.get(tuple(t.norm for t in toks[k:k + length]))
                    if cid:
                        out[k] = (cid, k + length - 1)
                        k += length
                        break
                else:
                    k += 1
            i = j + 1
        return out

    def _number_ref(self, f: Field, i: int, context: bool, refs_so_far: list[Ref]) -> Ref | None:
        t = f.tokens[i]
        n = int(t.norm)
        if n not in self.numbers:
            return None
        prev = [f.tokens[j].norm for j in range(max(0, i - 2), i)]
        nxt = f.tokens[i + 1] if i + 1 < len(f.tokens) else None
        directed = len(prev) > 1 and prev[-1] == "ke" and prev[-2] in lexicon.NUMBER_DIRECTION
        if prev and prev[-1] in lexicon.NOT_BALLOT_PREFIX and not directed:
            return None
        if nxt is not None and nxt.start == t.end and nxt.text[:1] in ":.,":  # 02:13, 3.3
            after = f.text[nxt.end:nxt.end + 1]
            if after.isdigit():
                return None
        if nxt is not None and nxt.kind == "word" and nxt.norm in lexicon.MONTHS:
            return None  # "14 Februari" is a date
        if nxt is not None and nxt.kind == "word" and nxt.norm in ("jam", "menit", "kali", "potong", "porsi", "gelas", "kg",
                                                                    "ribu", "rb", "juta", "kereta", "hari", "tahun"):
            return None
        padded = len(t.text) == 2 and t.text.startswith("0")
        prefixed = directed or (bool(prev) and (prev[-1] in lexicon.NUMBER_PREFIX or (len(prev) > 1 and prev[-2] in ("nomor", "no"))))
        suffixed = nxt is not None and nxt.norm in lexicon.NUMBER_SUFFIX
        if not (padded or prefixed or suffixed):
            return None
        if not context and not padded:
            return None
        if not context and padded:
            # a bare 02 needs a cue of its own right next to it
            near = [h for h in f.hits_from(i - 3, i + 3) if (h.kind in ("support", "oppose") and h.weight >= 0.5)
                    or (h.kind == "contrast" and 0 < abs(h.t0 - i) <= W.CONTRAST_REACH)]
            if not near:
                return None
        race_cid = self._resolve_number(f, n, i)
        if race_cid is None:
            return None
        return Ref(race_cid, "ballot_number", f.name, i, i, t.text, (t.start, t.end), support=W.BALLOT_NUMBER[0] if padded else W.BALLOT_NUMBER[1])

    def _resolve_number(self, f: Field, n: int, i: int) -> str | None:
        options = self.numbers[n]
        if len(options) == 1:
            race, cid = options[0]
        else:
            if f._race_scores is None:  # once per field, not once per number
                terms = {h.key for h in f.hits if h.kind == "context"}
                terms = {normalise_phrase(t) for t in terms}
                f._race_scores = {race: sum(1 for term in rt if term in terms) for race, rt in self.race_terms.items()}
            scores = []
            for race, cid in options:
                s = f._race_scores.get(race, 0) + (0.5 if race in self.default_races else 0)
                scores.append((s, race, cid))
            scores.sort(reverse=True)
            _, race, cid = scores[0]
        if self.race_kind.get(race) == "dpr":
            # "caleg Gerindra nomor urut 1": a list position, not the party's ballot number
            for h in f.hits_from(i - 4 - 8, i + 4):
                if h.kind == "name" and h.contestant != cid and self.race_of.get(h.contestant) == race and abs(h.t1 - i) <= 4:
                    return None
        return cid

    def _names_an_acronym(self, fields: list[Field]) -> bool:
        """Whether a word is a contestant's acronym ("AMIN", "PKB"): a substring search first (in C, over the
        whole text), the tokens only when it finds one, since long articles rarely hold any."""
        acronyms = self.acronyms
        return any(a in f.text for f in fields for a in acronyms) and any(
            t.text in acronyms for f in fields for t in f.tokens if t.kind == "word")

    @staticmethod
    def _upper_doc(fields: list[Field]) -> bool:
        """Shouted text (mostly capitals): then "AMIN" may be just "amin" written loud, not the acronym."""
        letters = "".join(t.text for f in fields for t in f.tokens if t.kind == "word")
        return len(letters) > 12 and sum(map(str.isupper, letters)) / len(letters) > 0.6


def enumerated_numbers(refs: list[Ref], markers: list[Hit] = (), starts: list[int] = ()) -> set[int]:
    """Ballot numbers listed next to each other ("01, 02, atau 03") are an enumeration, not a choice.

    Not when a contrast marker stands between them ("mending 03 daripada 02" is a choice). Numbers are
    compared with their neighbours within 4 tokens only (sorted), so a wall of numbers stays linear."""
    nums = sorted((r for r in refs if r.kind == "ballot_number"), key=lambda r: r.t0)
    out = set()
    hit = []
    for i, a in enumerate(nums):
        j = i - 1
        found = False
        while j >= 0 and a.t0 - nums[j].t0 <= 4:
            found |= listed(a, nums[j], markers, starts)
            j -= 1
        j = i + 1
        while not found and j < len(nums) and nums[j].t0 - a.t0 <= 4:
            found |= listed(a, nums[j], markers, starts)
            j += 1
        if found:
            hit.append(a)
    for a in hit:
        out.add(id(a))
        a.support = 0.0
    return out


def listed(a: Ref, b: Ref, markers, starts) -> bool:
    return a.contestant != b.contestant and not (
        markers and across(markers, starts, min(a.t1, b.t1), min(a.t1, b.t1), max(a.t0, b.t0), max(a.t0, b.t0)))


def namesake(f: Field, t0: int, t1: int) -> bool:
    """Someone else with a contestant's name: "namanya Gibran", "Coach Anies", "warung Pak Prabowo",
    "Pak Ganjar, tukang kebun sekolah kami"."""
    toks = f.tokens
    before = [toks[j].norm for j in range(max(0, t0 - 3), t0)]
    if any(w in lexicon.NAMESAKE_BEFORE for w in before[-2:]):
        return True
    after = [toks[j] for j in range(t1 + 1, min(len(toks), t1 + 4))]
    if after and (after[0].text == "," or f.text[toks[t1].end:after[0].start].strip() == ","):
        return any(t.norm in lexicon.NAMESAKE_ROLES for t in after[:3])
    return False
