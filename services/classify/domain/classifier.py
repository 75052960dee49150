"""Decision logic: does this content show its author taking sides, for or against whom, in which SKB form.

Why rules (with weights tuned on the dev split) rather than a model: the annotated data is small, the
cost of a false accusation is high and every positive must point at the words that decided it. Each
contestant reference (name, acronym, hashtag, account, ballot number, gesture, slogan) is scored from
the support/oppose cues in its sentence window; negation flips support; contrast markers ("mending X",
"X daripada Y") back one contestant against another and close the clause; gestures written together
(✌️☝️) are one gesture; frames (news, reports about a violation, neutrality reminders, fact-checks,
quoted or third-person speech) scale cues down, because content *about* partisanship is not partisanship.
"""
from __future__ import annotations

import bisect
import hashlib
import pathlib
import re
from dataclasses import dataclass, field

import ahocorasick

from services.classify.domain import forms, lexical, lexicon, target_model
from services.classify.domain.config import ElectionConfig, load_elections
from services.classify.domain.normalise import Segmenter, Token, canonical_emoji, handle_key, normalise_phrase, tokenize
from shared.schemas import Classification, ContentRecord, Evidence, Stance

# Evidence built here is well-typed by construction: skip re-validation on the hot path.
_evidence = Evidence.model_construct

RULES_VERSION = "rules-2.0"
CLASSES_INDEX = {c: i for i, c in enumerate(target_model.CLASSES)}
THRESHOLD = 0.5  # partisan when the strongest contestant stance reaches this (tuned on dev)
STANCE_MIN = 0.45  # a contestant is listed in ``stance`` from this score
WINDOW_BEFORE, WINDOW_AFTER = 5, 4
# Combining rules with the lexical model (an explainable rule, thresholds chosen on dev only): the model
# decides only in the rules' grey zone. It vetoes a weak rule positive (rule score below VETO_BELOW) when
# it is sure the item is not partisan (p < P_VETO), and it raises a near-miss (best contestant score at
# least RESCUE_FROM) when it is sure the item is partisan (p >= P_RESCUE). Everything else: the rules.
VETO_BELOW, P_VETO = 0.7, 0.05
RESCUE_FROM, P_RESCUE = 0.35, 0.97
CONTRAST_REACH = 2  # "mending [pilih|yg|nomor] X": the contestant a contrast marker points at follows within this many tokens
MAX_SENTENCE = 80  # tokens: a longer run without punctuation is cut, so per-sentence work stays bounded


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
    form_cues: list
    engaged: dict


@dataclass
class Scored:
    support: list[tuple[float, Evidence]] = field(default_factory=list)
    oppose: list[tuple[float, Evidence]] = field(default_factory=list)


def _combine(values: list[float]) -> float:
    if not values:
        return 0.0
    top = sorted(values, reverse=True)
    return min(0.99, top[0] + (0.25 * top[1] if len(top) > 1 else 0.0))


class Classifier:
    """Builds the matchers once from the election config; ``classify`` is pure and thread-safe."""

    def __init__(self, config: ElectionConfig, config_digest: str = "", model: "lexical.LexicalModel | None" = None,
                 target: "target_model.TargetModel | None" = None):
        self.config = config
        self.window = config.window
        self.model = model
        self.target = target
        self.decision = config.window.decision
        trained = "".join(f"+{m.version}" for m in (model, target) if m is not None)
        self.model_version = f"pantau-classify/{RULES_VERSION}{trained}+cfg.{config_digest[:10] or 'inline'}"
        self.race_of: dict[str, str] = {}
        self.numbers: dict[int, list[tuple[str, str]]] = {}  # n -> [(race, contestant)]
        self.race_terms: dict[str, set[str]] = {}
        self.default_races: set[str] = set()
        self.race_kind: dict[str, str] = {}
        self.hashtags: dict[str, tuple[str, str]] = {}
        self.acronyms: dict[str, str] = {}
        self.accounts: dict[str, str] = {}
        self.emoji: dict[str, str] = {}
        self.emoji_combos: dict[tuple[str, ...], str] = {}  # emoji written together -> contestant
        self.image_labels: dict[str, str] = {}
        self.handle_names: list[tuple[str, str, bool]] = []  # (substring, contestant, ambiguous)
        vocab: set[str] = set()
        self._auto = ahocorasick.Automaton()
        payloads: dict[str, list[Hit]] = {}

        def add(phrase: str, hit: Hit) -> None:
            norm = normalise_phrase(phrase)
            if not norm or (len(norm) == 1 and hit.kind in ("name", "ambiguous")):
                # "ppp" normalises to "p" (elongation): a one-letter name would match every "P"; the acronym stays
                return
            vocab.update(norm.split())
            bucket = payloads.setdefault(norm, [])
            if hit not in bucket:
                bucket.append(hit)

        for ef, race, c in config.contestants():
            self.race_of[c.id] = race.id
            self.race_kind[race.id] = race.office
            if race.numbers_default:
                self.default_races.add(race.id)
            self.race_terms.setdefault(race.id, set()).update(normalise_phrase(t) for t in race.context_terms)
            if c.ballot_number is not None:
                self.numbers.setdefault(c.ballot_number, []).append((race.id, c.id))
            for n in c.names:
                add(n, Hit("name", n, 0, 0, c.id))
                if len(n) >= 4 and " " not in n:
                    self.handle_names.append((handle_key(n), c.id, False))
            for n in c.ambiguous:
                add(n, Hit("ambiguous", n, 0, 0, c.id))
                if len(n) >= 4 and " " not in n:
                    self.handle_names.append((handle_key(n), c.id, True))
            for a in c.acronyms:
                self.acronyms[a.rstrip("!")] = c.id
            for tag in c.hashtags:
                self.hashtags[tag] = (c.id, "support")
            for tag in c.oppose_hashtags:
                self.hashtags[tag] = (c.id, "oppose")
            for s in c.slogans:
                add(s.text, Hit("slogan", s.text, 0, 0, c.id, strong=s.strength == "strong"))
            for s in c.oppose_phrases:
                add(s.text, Hit("oppose_phrase", s.text, 0, 0, c.id, strong=s.strength == "strong"))
            for g in c.gestures.phrases:
                add(g, Hit("gesture", g, 0, 0, c.id))
            for e in c.gestures.emoji:
                self.emoji[canonical_emoji(e)] = c.id
            for combo in c.gestures.emoji_combos:
                key = tuple(t.norm for t in tokenize(combo) if t.kind == "emoji")
                if len(key) >= 2:
                    self.emoji_combos[key] = c.id
            for label in c.gestures.image_labels:
                self.image_labels[label.lower().replace("_", " ")] = c.id
            for acc in c.accounts:
                self.accounts[handle_key(acc.split(":", 1)[1])] = c.id
            for term in ef.election.context_terms + race.context_terms:
                add(term, Hit("context", term, 0, 0))
        for word, w in lexicon.SUPPORT.items():
            add(word, Hit("support", word, 0, 0, weight=w))
        for word in lexicon.NEGATABLE:
            if normalise_phrase(word) not in payloads or all(h.kind != "support" for h in payloads[normalise_phrase(word)]):
                add(word, Hit("support", word, 0, 0, weight=0.0))
        for word, w in lexicon.OPPOSE.items():
            add(word, Hit("oppose", word, 0, 0, weight=w))
        for word in lexicon.NEGATORS:
            add(word, Hit("negator", word, 0, 0))
        for word in lexicon.NEGATION_EXCEPTIONS:
            add(word, Hit("neg_exception", word, 0, 0))
        for name, (strong, weak) in lexicon.FRAMES.items():
            for term in strong:
                add(term, Hit("frame", name, 0, 0, strong=True))
            for term in weak:
                add(term, Hit("frame", name, 0, 0, strong=False))
        for term in lexicon.FRAME_EXCEPTIONS:
            add(term, Hit("frame_exception", term, 0, 0))
        self.contrast_roles: dict[str, tuple[str, float, float]] = {}  # marker -> (role, backed weight, set-aside weight)
        for role, table in (("prefer", lexicon.CONTRAST_PREFER), ("over", lexicon.CONTRAST_OVER),
                            ("comparator", lexicon.COMPARATORS)):
            for term, (back, aside) in table.items():
                self.contrast_roles[normalise_phrase(term)] = (role, back, aside)
                add(term, Hit("contrast", normalise_phrase(term), 0, 0))
        for term in lexicon.PHOTO_WITH:
            add(term, Hit("photo_with", term, 0, 0))
        for term in lexicon.ATTRIBUTE_WORDS:
            add(term, Hit("attribute", term, 0, 0))
        for term in lexicon.VOTED:
            add(term, Hit("voted", term, 0, 0))
        for term in lexicon.ADVERTORIAL:
            add(term, Hit("advertorial", term, 0, 0))
        for term in lexicon.CAMPAIGN_GROUP_WORDS:
            add(term, Hit("group", term, 0, 0))
        self.combo_max = max((len(k) for k in self.emoji_combos), default=0)
        self.combo_emoji = {e for k in self.emoji_combos for e in k}
        for key, hits in payloads.items():
            self._auto.add_word(f" {key} ", (len(key.split()), hits))
        self._auto.make_automaton()
        self.segmenter = Segmenter(vocab | set(lexicon_words()) | {t for tag in self.hashtags for t in [tag]})
        self.forms = forms.FormDetector()

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def from_config(cls, paths: str | pathlib.Path | list | None = None, use_model: bool = True) -> "Classifier":
        """Default: every active ``config/elections/*.yaml``; a file or directory path (or list) also works.

        The lexical model artefact is loaded once here when the config turns it on (``classification.model:
        grey_zone``); ``use_model=False`` forces rules alone."""
        config = load_elections(paths)
        digest = hashlib.sha256()
        for path, _ in config.files:
            digest.update(pathlib.Path(path).read_bytes())
        mode = config.window.model if use_model else "off"
        model = lexical.LexicalModel.load() if mode == "grey_zone" else None
        target = target_model.TargetModel.load() if mode == "target" else None
        return cls(config, digest.hexdigest(), model, target)

    # ------------------------------------------------------------------ field analysis
    def _window_tokens(self, text: str, budget: list[int] | None = None) -> list[Token]:
        """Tokens of the classification window: the first head and last tail characters, cut at a space.

        Spans stay offsets into the whole field, so evidence points at the text as stored; the cut
        closes the sentence, so no cue reaches across it."""
        head, tail = self.window.head_chars, self.window.tail_chars
        if budget is not None:  # what is left of the record's total: later fields get a shorter window
            left = max(0, budget[0])
            if head + tail > left:
                head, tail = min(head, left), max(0, min(tail, left - head))
            budget[0] -= min(len(text), head + tail)
        if len(text) <= head + tail:
            return tokenize(text, self.segmenter)
        if head < 200:
            head = 0
        cut = text.rfind(" ", max(0, head - 200), head) if head else 0
        cut = head if cut < 0 else cut
        start = len(text) - tail
        if tail:
            nxt = text.find(" ", start, start + 200)
            start = start if nxt < 0 else nxt
        tokens = tokenize(text[:cut], self.segmenter)
        tokens.append(Token(text[cut:start][:1], ".", cut, start, "stop"))
        if tail:
            for t in tokenize(text[start:], self.segmenter):
                t.start += start
                t.end += start
                tokens.append(t)
        return tokens

    def _field(self, name: str, text: str, budget: list[int] | None = None) -> Field:
        tokens = self._window_tokens(text, budget)
        norms = [t.norm for t in tokens]
        starts, pos = [], 1
        for n in norms:  # where each token's norm starts in " n0 n1 ... "
            starts.append(pos)
            pos += len(n) + 1
        s = " " + " ".join(norms) + " "
        hits = self._scan(s, starts, tokens)
        sentence, quoted = [], []
        sid, inside, run = 0, False, 0
        for t in tokens:
            run += 1
            if t.kind == "stop" or run > MAX_SENTENCE:
                sid += 1
                run = 0
            if t.kind == "quote":
                inside = not inside
            sentence.append(sid)
            quoted.append(inside)
        return Field(name, text, tokens, hits, sentence, quoted)

    def _scan(self, s: str, starts: list[int], tokens: list[Token]) -> list[Hit]:
        hits: list[Hit] = []
        for end, (nwords, payload) in self._auto.iter(s):
            # The key is " phrase "; find its start by walking back nwords tokens from the end.
            last_tok = bisect.bisect_right(starts, end - 1) - 1
            if last_tok < 0:
                continue
            first_tok = last_tok
            # tokens whose norm contains spaces (segmented hashtags) count as several words
            words = len(tokens[last_tok].norm.split())
            if words > 1:
                # a phrase inside a segmented hashtag: keep it on that token only
                first_tok = last_tok
            else:
                count = 1
                while count < nwords and first_tok > 0:
                    first_tok -= 1
                    count += len(tokens[first_tok].norm.split())
            for h in payload:
                hits.append(Hit(h.kind, h.key, first_tok, last_tok, h.contestant, h.weight, h.strong))
        return hits

    # ------------------------------------------------------------------ main entry
    def classify(self, record: ContentRecord) -> Classification:
        """The per-item API: pure, thread-safe, bounded work per record (see ``cost``)."""
        return self._classify(record)[0]

    def cost(self, record: ContentRecord) -> dict[str, int]:
        """Deterministic work counts of one classification (tokens read, matches, reference-cue pairs)."""
        _, fields = self._classify(record)
        return {"fields": len(fields), "tokens": sum(len(f.tokens) for f in fields),
                "hits": sum(len(f.hits) for f in fields), "pairs": sum(f.work for f in fields)}

    def _classify(self, record: ContentRecord) -> tuple[Classification, list[Field]]:
        a = self._analyse(record)
        if isinstance(a, tuple):  # nothing can be partisan
            return a
        if self.target is not None:
            partisan, best, best_any, stances, evidence = self._decide_with_target(record, a)
        else:
            partisan, best, best_any, stances, evidence = self._decide_by_rules(record, a.own, a.target_fields, a.labels, a.merged)
        form = "none"
        if partisan:
            form, form_ev = self.forms.detect(record, a.own, evidence, bool(a.engaged) or record.kind in (
                "like", "share", "follow", "join_group"), specific=a.form_cues)
            evidence.extend(form_ev)
        else:
            stances = []
        if a.frame_ev and (partisan or evidence):
            evidence.extend(a.frame_ev)
        evidence = _dedupe(evidence)
        score = best if partisan else best_any
        result = Classification(partisan=partisan, score=round(min(score, 1.0), 3), stance=stances, form=form,
                                evidence=evidence[:20], model_version=self.model_version)
        return result, a.own + a.target_fields

    def target_examples(self, record: ContentRecord) -> dict[str, dict]:
        """The target model's features for every contestant the record names (what ``make train`` fits)."""
        a = self._analyse(record)
        if isinstance(a, tuple):
            return {}
        return {cid: feats for cid, (feats, _, _, _) in self._target_features(record, a).items()}

    def _analyse(self, record: ContentRecord) -> "Analysis | tuple[Classification, list[Field]]":
        """Fields, references and the rules' per-contestant scores; the final result when nothing can be partisan."""
        budget = [self.window.max_total_chars]  # characters read over all fields of the record
        own: list[Field] = [self._field("text", record.text or "", budget)]
        if record.author and record.author.bio:
            own.append(self._field("author.bio", record.author.bio, budget))
        labels: list[tuple[str, str]] = []
        for i, m in enumerate(record.media[:self.window.max_media]):
            if m.caption:
                own.append(self._field(f"media[{i}].caption", m.caption, budget))
            if m.ocr_text:
                own.append(self._field(f"media[{i}].ocr_text", m.ocr_text, budget))
            labels.extend((f"media[{i}].labels", lab) for lab in m.labels[:64])
        target_fields: list[Field] = []
        if record.target and record.target.text:
            target_fields.append(self._field("target.text", record.target.text, budget))
        if record.target is None and not any(self._may_refer(f) for f in own) and not any(
                lab.lower().replace("_", " ").strip() in self.image_labels for _, lab in labels):
            # nothing in the record can name a contestant, so nothing can be partisan: skip the scoring
            return Classification(partisan=False, score=0.0, stance=[], form="none", evidence=[],
                                  model_version=self.model_version), own

        form_cues = self.forms.cues(own)
        own_context = self._has_context(own) or self._has_context(target_fields)
        voted = any(h.kind == "voted" for f in own for h in f.hits) or any(
            lab.lower().replace("_", " ").strip() in lexicon.VOTED for _, lab in labels)
        own_scored, own_refs, own_evidence_extra = self._score(own, own_context, record, labels,
                                                               num_context=own_context or bool(form_cues), voted=voted)
        self._form_acts(form_cues, own_refs, own_scored)
        factor, tag_factor, frame_ev = self._frames(own, record.source)
        kind = record.kind
        engaged: dict[str, tuple[float, Evidence]] = {}
        target_scored: dict[str, Scored] = {}
        if record.target is not None:
            engaged = self._engagement_targets(record)
            if target_fields and kind in ("like", "share", "follow", "join_group"):
                t_context = self._has_context(target_fields)
                target_scored, _, _ = self._score(target_fields, t_context, None, [])
                t_factor, t_tag_factor, _ = self._frames(target_fields, "")
                target_scored = _scale(target_scored, t_factor, t_tag_factor)
                if kind in ("follow", "join_group"):
                    self._group_cue(target_fields, target_scored)

        own_scaled = _scale(own_scored, factor, tag_factor)
        merged = _merge(own_scaled, target_scored if kind != "comment" else {})
        for cid, (w, ev) in engaged.items():
            sc = merged.setdefault(cid, Scored())
            opp = _combine([x for x, _ in sc.oppose])
            if kind == "comment" and opp >= 0.45:
                sc.oppose.append((max(opp, 0.7), ev))
            else:
                sc.support.append((w, ev))

        return Analysis(own, target_fields, labels, own_refs, merged, frame_ev, form_cues, engaged)

    def _target_features(self, record: ContentRecord, a: "Analysis") -> dict[str, tuple[dict, float, float, Scored]]:
        """contestant -> (target-model features, rule support, rule oppose, rule scores) for every one named."""
        fields_by_name = {f.name: f for f in a.own}
        cids = sorted({r.contestant for r in a.refs} | set(a.merged))
        frames = {e.cue.split(":", 1)[1] for e in a.frame_ev}
        post = target_model.post_features(a.own, frames, record.kind, record.source, len(cids))
        chain = reply_chain(a.own[0])
        out = {}
        for cid in cids:
            sc = a.merged.get(cid) or Scored()
            sup, opp = _combine([w for w, _ in sc.support]), _combine([w for w, _ in sc.oppose])
            feats = dict(post)
            feats.update(target_model.target_features(fields_by_name, a.refs, cid, sup, opp, chain))
            out[cid] = (feats, sup, opp, sc)
        return out

    def _decide_with_target(self, record: ContentRecord, a: "Analysis"):
        """Per contestant: the target model's probability of a side, or the rules when they are sure (see Decision)."""
        d = self.decision
        stances: list[Stance] = []
        evidence: list[Evidence] = []
        best = best_any = 0.0
        for cid, (feats, sup, opp, sc) in self._target_features(record, a).items():
            probs, known = self.target.predict(feats)
            p = 1.0 - probs[0]
            rule = max(sup, opp)
            best_any = max(best_any, p, rule)
            by_model = p >= d.p_partisan
            if not (by_model or (rule >= d.rule_sure and p >= d.p_floor)):
                continue
            if by_model:
                if self.target.polarity:
                    p_opp, _ = self.target.oppose_probability(feats)
                    polarity = "oppose" if p_opp >= 0.5 else "support"
                else:
                    polarity = "support" if probs[1] >= probs[2] else "oppose"
                score = p
            else:
                polarity = "support" if sup >= opp else "oppose"
                score = rule
            stances.append(Stance(contestant=cid, polarity=polarity, score=round(score, 3)))
            best = max(best, score)
            chosen = sc.support if polarity == "support" else sc.oppose
            evidence.extend(ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.1)
            klass = CLASSES_INDEX[polarity]
            evidence.append(_evidence(cue="model", text=f"p({polarity})={probs[klass]:.3f}", field="model",
                                      contestant=cid, weight=round(p, 3)))
            for name, w in self.target.top_features(known, klass):
                where = feats.get(name)
                evidence.append(_evidence(cue="model_feature", text=name, field=where[0] if where else "model",
                                          contestant=cid, weight=w, span=(where[1], where[2]) if where else None))
        stances.sort(key=lambda s: -s.score)
        return bool(stances), best, best_any, stances, evidence

    def _decide_by_rules(self, record, own, target_fields, labels, merged):
        stances: list[Stance] = []
        evidence: list[Evidence] = []
        best = best_any = 0.0
        for cid, sc in merged.items():
            sup = _combine([w for w, _ in sc.support])
            opp = _combine([w for w, _ in sc.oppose])
            score = max(sup, opp)
            best_any = max(best_any, score)
            if score < STANCE_MIN:
                continue
            polarity = "support" if sup >= opp else "oppose"
            stances.append(Stance(contestant=cid, polarity=polarity, score=round(score, 3)))
            chosen = sc.support if polarity == "support" else sc.oppose
            evidence.extend(ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.25)
            best = max(best, score)
        stances.sort(key=lambda s: -s.score)
        partisan = best >= THRESHOLD
        if self.model is not None and (RESCUE_FROM <= best_any < VETO_BELOW):
            partisan, stances, evidence = self._model_rule(record, own + target_fields, labels, partisan, best,
                                                           best_any, merged, stances, evidence)
            if partisan:
                best = max(best, best_any)
        return partisan, best, best_any, stances, evidence

    def _model_rule(self, record, fields, labels, partisan, best, best_any, merged, stances, evidence):
        """The grey-zone rule: veto a weak rule positive or raise a near-miss, naming the model's top features."""
        p, contrib = self.model.score(lexical.features(fields, [lab for _, lab in labels], record.kind, record.source))
        top = [c for c in contrib if (c[1] > 0) == (p >= 0.5)][:3]
        model_ev = [_evidence(cue="model", text=f"p={p:.3f}", field="model", weight=round(p, 3))] + [
            _evidence(cue="model_feature", text=name, field="model", weight=round(w, 3)) for name, w in top]
        if partisan and best < VETO_BELOW and p < P_VETO:
            return False, [], evidence + model_ev
        if not partisan and best_any >= RESCUE_FROM and p >= P_RESCUE:
            cid, sc = max(merged.items(), key=lambda kv: max(_combine([w for w, _ in kv[1].support]),
                                                            _combine([w for w, _ in kv[1].oppose])))
            sup, opp = _combine([w for w, _ in sc.support]), _combine([w for w, _ in sc.oppose])
            polarity = "support" if sup >= opp else "oppose"
            chosen = sc.support if polarity == "support" else sc.oppose
            evidence = evidence + [ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.1]
            return True, [Stance(contestant=cid, polarity=polarity, score=round(max(sup, opp), 3))], evidence + model_ev
        return partisan, stances, evidence

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

    # ------------------------------------------------------------------ pieces
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

    def _frames(self, fields: list[Field], source: str) -> tuple[float, float, list[Evidence]]:
        """The discount of content *about* partisanship: (factor for every cue, factor for campaign hashtags).

        A headline, news words or reported speech make the words someone else's, but a campaign hashtag the
        poster adds to them is the poster's own promotion (the buzzer template: a headline, a link, a tag);
        reports, reminders and fact-checks discount the hashtags too."""
        factor = tag_factor = 1.0
        evidence: list[Evidence] = []
        found: dict[str, list[Hit]] = {}
        for f in fields:
            excepted = {i for h in f.hits if h.kind == "frame_exception" for i in range(h.t0, h.t1 + 1)}
            for h in f.hits:
                if h.kind == "frame" and not (excepted and h.t0 in excepted and h.t1 in excepted):
                    found.setdefault(h.key, []).append(h)
                    if len(evidence) < 3:
                        evidence.append(_ev(f, h.t0, h.t1, f"frame:{h.key}", None, 0.0))
        for name, hits in found.items():
            strong = any(h.strong for h in hits)
            if name == "reported_speech" and not any(any(f.quoted) or _has_quote(f) for f in fields):
                f_factor = 0.8
            elif strong or len(hits) >= 2:
                f_factor = lexicon.FRAME_FACTORS[name]
            else:
                f_factor = 0.75
            factor = min(factor, f_factor)
            if name not in lexicon.OTHERS_WORDS_FRAMES:
                tag_factor = min(tag_factor, f_factor)
        headline = next((f for f in fields if f.name == "text" and pasted_headline(f)), None)
        if headline is not None:
            factor = min(factor, lexicon.FRAME_FACTORS["headline"])
            evidence.append(_evidence(cue="frame:headline", text=headline.text[:80], field=headline.name))
        advertorial = next(((f, h) for f in fields for h in f.hits if h.kind == "advertorial"), None)
        if advertorial is not None:
            # paid campaign content on a news site: neither the news source nor news words discount it
            f, h = advertorial
            evidence.append(_ev(f, h.t0, h.t1, "frame:advertorial", None, 0.0))
            factor = max(factor, 1.0 if not found.keys() - lexicon.OTHERS_WORDS_FRAMES else factor)
            return factor, max(tag_factor, factor), evidence
        if source == "news":
            factor = tag_factor = min(factor, 0.45)
            evidence.append(_evidence(cue="frame:news_source", text=source, field="source"))
        return factor, tag_factor, evidence

    def _engagement_targets(self, record: ContentRecord) -> dict[str, tuple[float, Evidence]]:
        """A campaign account (configured, or a volunteer/team handle naming a contestant) as target."""
        out: dict[str, tuple[float, Evidence]] = {}
        handle = record.target.handle if record.target else None
        if not handle:
            return out
        key = handle_key(handle)
        if key in self.accounts:
            cid = self.accounts[key]
            out[cid] = (0.92, _evidence(cue="campaign_account", text=handle, field="target.handle", contestant=cid, weight=0.92))
            return out
        if any(w in key for w in lexicon.CAMPAIGN_ACCOUNT_WORDS):
            for sub, cid, ambiguous in self.handle_names:
                if sub in key:
                    out[cid] = (0.8, _evidence(cue="campaign_account_like", text=handle, field="target.handle",
                                              contestant=cid, weight=0.8))
        return out

    def _form_acts(self, form_cues: list, refs: list[Ref], scored: dict) -> None:
        """An SKB act (attending, putting up props, joining a team...) naming a contestant is support in itself."""
        if not form_cues:
            return
        named = {r.contestant for r in refs
                 if r.kind in ("mention", "mention_ambiguous", "acronym", "hashtag", "campaign_account", "ballot_number", "gesture")
                 and not r.quoted}
        if not named or len(named) > 3:
            return
        form, ev = form_cues[0]
        for cid in named:
            sc = scored.setdefault(cid, Scored())
            if _combine([w for w, _ in sc.oppose]) >= 0.6:
                continue
            sc.support.append((0.75, ev.model_copy(update={"contestant": cid, "weight": 0.75, "cue": f"act:{form}"})))

    def _group_cue(self, fields: list[Field], scored: dict) -> None:
        """Following/joining a page that names a contestant and a campaign group word is joining the campaign."""
        for f in fields:
            groups = [h for h in f.hits if h.kind == "group"]
            names = [h for h in f.hits if h.kind == "name"]
            if groups and names:
                for h in names:
                    sc = scored.setdefault(h.contestant, Scored())
                    sc.support.append((0.8, _ev(f, h.t0, h.t1, "campaign_group", h.contestant, 0.8)))

    def _refs(self, f: Field, context: bool, upper_doc: bool, num_context: bool) -> list[Ref]:
        refs: list[Ref] = []
        strong_cue_tokens = {i for h in f.hits if h.kind in ("support", "oppose") and h.weight >= 0.6
                             and h.key not in lexicon.DERISION for i in range(h.t0, h.t1 + 1)}
        for h in f.hits:
            if h.kind == "name":
                refs.append(Ref(h.contestant, "mention", f.name, h.t0, h.t1, _surface(f, h.t0, h.t1), _span(f, h.t0, h.t1)))
            elif h.kind == "ambiguous":
                near = any(i in strong_cue_tokens for i in range(max(0, h.t0 - 3), h.t1 + 3))
                if (context or near) and not (h.key in lexicon.PRAYER_WORDS and _prayer(f, h.t0)):
                    refs.append(Ref(h.contestant, "mention_ambiguous", f.name, h.t0, h.t1, _surface(f, h.t0, h.t1), _span(f, h.t0, h.t1)))
            elif h.kind == "gesture" and (context or h.key.startswith("salam")):
                # "pose dua jari" at a graduation is a peace sign; "salam dua jari" is the salute itself
                refs.append(Ref(h.contestant, "gesture", f.name, h.t0, h.t1, _surface(f, h.t0, h.t1), _span(f, h.t0, h.t1),
                                support=0.75))
            elif h.kind == "slogan":
                w = 0.75 if h.strong else (0.55 if context else 0.0)
                if w:
                    refs.append(Ref(h.contestant, "slogan", f.name, h.t0, h.t1, _surface(f, h.t0, h.t1),
                                    _span(f, h.t0, h.t1), support=w))
            elif h.kind == "oppose_phrase":
                w = 0.8 if h.strong else (0.55 if context else 0.0)
                if w:
                    refs.append(Ref(h.contestant, "oppose_phrase", f.name, h.t0, h.t1, _surface(f, h.t0, h.t1),
                                    _span(f, h.t0, h.t1), oppose=w))
        named = {r.contestant for r in refs if r.kind == "mention"}
        if named:  # a weak slogan ("perubahan") next to another contestant's name is that contestant's talk
            refs = [r for r in refs if not (r.kind == "slogan" and r.support <= 0.55 and r.contestant not in named and any(
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
                        r.support = 0.9
                    else:
                        r.oppose = 0.9
                    refs.append(r)
            elif t.kind == "mention" and t.norm[1:] in self.accounts:
                # a reply opens with the chain of accounts it answers: the author's words that follow are about them
                kind = "reply_target" if i < chain else "campaign_account"
                refs.append(Ref(self.accounts[t.norm[1:]], kind, f.name, i, i, t.text, (t.start, t.end)))
            elif t.kind == "word" and t.text.isupper() and not upper_doc and t.text in self.acronyms and not (
                    t.norm in lexicon.PRAYER_WORDS and _prayer(f, i)):
                refs.append(Ref(self.acronyms[t.text], "acronym", f.name, i, i, t.text, (t.start, t.end)))
            elif t.kind == "emoji" and i in combos:
                cid, j = combos[i]
                refs.append(Ref(cid, "gesture_combo", f.name, i, j, _surface(f, i, j), _span(f, i, j),
                                support=0.6 if context else 0.35))
                in_combo = j
            elif t.kind == "emoji" and i > in_combo and t.norm in self.emoji:
                refs.append(Ref(self.emoji[t.norm], "gesture_emoji", f.name, i, i, t.text, (t.start, t.end),
                                support=0.55 if context else 0.3))
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
                    or (h.kind == "contrast" and 0 < abs(h.t0 - i) <= CONTRAST_REACH)]
            if not near:
                return None
        race_cid = self._resolve_number(f, n, i)
        if race_cid is None:
            return None
        return Ref(race_cid, "ballot_number", f.name, i, i, t.text, (t.start, t.end), support=0.5 if padded else 0.3)

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

    def _score(self, fields: list[Field], context: bool, record: ContentRecord | None,
               labels: list[tuple[str, str]], num_context: bool | None = None,
               voted: bool = False) -> tuple[dict[str, Scored], list[Ref], list[Evidence]]:
        scored: dict[str, Scored] = {}
        all_refs: list[Ref] = []
        upper_doc = self._upper_doc(fields) if any(
            t.text in self.acronyms for f in fields for t in f.tokens if t.kind == "word") else False
        for f in fields:
            refs = self._refs(f, context, upper_doc, context if num_context is None else num_context)
            if voted:  # the inked finger after voting: a gesture shows that the author voted, not for whom
                refs = [r for r in refs if r.kind not in ("gesture", "gesture_emoji", "gesture_combo")]
            for r in refs:
                r.quoted = f.quoted[r.t0]
            all_refs.extend(refs)
            cues = self._cues(f)
            markers = _contrast_markers(f) if any(h.kind == "contrast" for h in f.hits) else []
            contrast = self._contrast(f, refs, markers, cues) if markers else {}
            set_aside = {rid: max(t1 for pol, _, _, t1 in items if pol == "oppose")
                         for rid, items in contrast.items() if any(pol == "oppose" for pol, _, _, _ in items)}
            starts = [m.t0 for m in markers]
            enumerated = _enumerated(refs, markers, starts)
            used_cues: set[int] = set()
            # cues by position, so each reference looks only at the cues near it (linear, not refs x cues)
            order = sorted(range(len(cues)), key=lambda ci: cues[ci][2])
            cue_t0 = [cues[ci][2] for ci in order]
            cue_reach = max((c[3] - c[2] for c in cues), default=0)
            neg_end = {h.t1 for h in f.hits if h.kind == "negator" and h.key not in ("usah",)}
            neg_exc = {i for h in f.hits if h.kind == "neg_exception" for i in range(h.t0 + 1, h.t1 + 2)}
            for r in refs:
                sc = scored.setdefault(r.contestant, Scored())
                base_ev = _evidence(cue=r.kind, text=r.text, field=f.name, contestant=r.contestant,
                                   weight=round(max(r.support, r.oppose), 2), span=r.span)
                qf = 0.25 if f.quoted[r.t0] else 1.0
                if r.support:
                    sc.support.append((r.support * qf, base_ev))
                if r.oppose:
                    sc.oppose.append((r.oppose * qf, base_ev))
                if r.kind in ("hashtag", "oppose_hashtag"):
                    continue
                negated_ref = (r.t0 - 1) in neg_end and r.t0 not in neg_exc
                bare_gesture = not context and r.kind in ("gesture_emoji", "gesture_combo")
                before = 1 if id(r) in enumerated else WINDOW_BEFORE
                after = 2 if id(r) in enumerated else WINDOW_AFTER
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
                    if (markers and _across(markers, starts, t0, t1, r.t0, r.t1)) or (
                            pol == "support" and t0 > set_aside.get(id(r), len(f.tokens))) or (
                            bare_gesture and key.removeprefix("not ") not in lexicon.ELECTION_VERBS):
                        # a contrast marker closes the clause ("02 itu ..., mending 03"); a contestant set aside
                        # takes no support from its own clause ("mending golput daripada pilih 02"); a gesture
                        # emoji with no election context is a vote only next to an election verb ("makasih ✌️ mantap")
                        used_cues.add(ci)
                        continue
                    dist = min(abs(t0 - r.t1), abs(r.t0 - t1))
                    wd = w * (1.0 if dist <= 2 else 0.85)
                    if f.quoted[t0] or f.quoted[r.t0]:
                        wd *= 0.25
                    if negated_ref and pol == "support":
                        pol = "oppose"
                    ev = _ev(f, t0, t1, "support_cue" if pol == "support" else "oppose_cue", r.contestant, wd)
                    if pol == "support":
                        sc.support.append((wd, ev))
                    else:
                        sc.oppose.append((wd, ev))
                    _attach(sc, pol, base_ev, wd)
                    used_cues.add(ci)
                for pol, w, t0, t1 in contrast.get(id(r), ()):
                    wd = w * (0.25 if f.quoted[t0] or f.quoted[r.t0] else 1.0)
                    (sc.support if pol == "support" else sc.oppose).append((wd, _ev(f, t0, t1, "contrast", r.contestant, wd)))
                    _attach(sc, pol, base_ev, wd)
            # cues not near any reference go to the single contestant referenced in this content
            cids = {r.contestant for r in all_refs}
            if len(cids) == 1:
                (cid,) = cids
                sc = scored[cid]
                for ci, (pol, w, t0, t1, key) in enumerate(cues):
                    if ci in used_cues or w < 0.5 or f.quoted[t0]:
                        continue
                    wd = w * 0.7
                    ev = _ev(f, t0, t1, "support_cue" if pol == "support" else "oppose_cue", cid, wd)
                    (sc.support if pol == "support" else sc.oppose).append((wd, ev))
        # media: gesture labels and "photo with" a contestant
        extra: list[Evidence] = []
        named = {r.contestant for r in all_refs if r.kind in ("mention", "acronym", "hashtag", "ballot_number", "campaign_account")}
        for fld, label in labels:
            key = label.lower().replace("_", " ").strip()
            if key in self.image_labels and not voted:
                cid = self.image_labels[key]
                w = 0.6 if (cid in named or context) else 0.25
                ev = _evidence(cue="image_label", text=label, field=fld, contestant=cid, weight=w)
                scored.setdefault(cid, Scored()).support.append((w, ev))
        for f in fields:
            if not f.name.startswith("media"):
                continue
            attr = next((h for h in f.hits if h.kind == "attribute"), None)
            h = attr or next((h for h in f.hits if h.kind == "photo_with"), None)
            if h is not None:
                # wearing or showing a contestant's attributes weighs more than standing next to a name
                cue, w = ("partisan_attribute", 0.75) if attr is not None else ("photo_with_contestant", 0.6)
                for r in all_refs:
                    if r.field == f.name and r.kind in ("mention", "acronym", "ballot_number"):
                        ev = _ev(f, h.t0, h.t1, cue, r.contestant, w)
                        scored[r.contestant].support.append((w, ev))
                        _attach(scored[r.contestant], "support", _evidence(cue=r.kind, text=r.text, field=f.name,
                                                                           contestant=r.contestant, span=r.span), w)
        return scored, all_refs, extra

    @staticmethod
    def _upper_doc(fields: list[Field]) -> bool:
        """Shouted text (mostly capitals): then "AMIN" may be just "amin" written loud, not the acronym."""
        letters = "".join(t.text for f in fields for t in f.tokens if t.kind == "word")
        return len(letters) > 12 and sum(map(str.isupper, letters)) / len(letters) > 0.6

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
            after = [r for r in same if m.t1 < r.t0 <= m.t1 + CONTRAST_REACH and r.t0 < stop]
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
            if w <= 0:
                continue
            prev = {f.tokens[j].norm for j in range(max(0, h.t0 - 2), h.t0)}
            if prev & lexicon.THIRD_PERSON:
                w *= 0.2
            out.append((h.kind, w, h.t0, h.t1, h.key))
        return out


# ---------------------------------------------------------------------- helpers
def lexicon_words() -> set[str]:
    words: set[str] = set()
    for table in (lexicon.SUPPORT, lexicon.OPPOSE, lexicon.CONTRAST_PREFER, lexicon.CONTRAST_OVER, lexicon.COMPARATORS):
        for k in table:
            words.update(k.split())
    words.update({"salam", "jari", "presiden", "rakyat", "menang", "pilih", "coblos", "tolak", "asal", "bukan", "bersama",
                  "indonesia", "maju", "gerak", "cepat", "putaran", "relawan", "lanjutkan", "perubahan", "paling", "pas"})
    return words


def reply_chain(f: Field) -> int:
    """How many tokens the leading chain of @mentions of a reply takes (0 when the text does not open with one)."""
    n = 0
    for t in f.tokens:
        if t.kind != "mention":
            break
        n += 1
    return n


def _prayer(f: Field, i: int) -> bool:
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
    return titled / len(words) >= 0.6


def _has_quote(f: Field) -> bool:
    return any(t.kind == "quote" for t in f.tokens)


def _surface(f: Field, t0: int, t1: int) -> str:
    return f.text[f.tokens[t0].start:f.tokens[t1].end]


def _span(f: Field, t0: int, t1: int) -> tuple[int, int]:
    return (f.tokens[t0].start, f.tokens[t1].end)


def _ev(f: Field, t0: int, t1: int, cue: str, cid: str | None, w: float) -> Evidence:
    return _evidence(cue=cue, text=_surface(f, t0, t1), field=f.name, contestant=cid, weight=round(w, 2), span=_span(f, t0, t1))


def _attach(sc: Scored, pol: str, ev: Evidence, w: float) -> None:
    """Record the reference itself as evidence next to the cue that scored it (same weight, not double-counted)."""
    target = sc.support if pol == "support" else sc.oppose
    target.append((0.0, ev.model_copy(update={"weight": round(w, 2)})))


def _contrast_markers(f: Field) -> list[Hit]:
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


def _across(markers: list[Hit], starts: list[int], t0: int, t1: int, r0: int, r1: int) -> bool:
    """Whether a contrast marker stands between a cue (t0..t1) and a reference (r0..r1).

    Markers do not overlap and are sorted, so the first one starting after ``lo`` decides (a bisection)."""
    lo, hi = (t1, r0) if t1 < r0 else (r1, t0)
    k = bisect.bisect_right(starts, lo)
    return k < len(markers) and markers[k].t1 < hi


def _enumerated(refs: list[Ref], markers: list[Hit] = (), starts: list[int] = ()) -> set[int]:
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
            found |= _listed(a, nums[j], markers, starts)
            j -= 1
        j = i + 1
        while not found and j < len(nums) and nums[j].t0 - a.t0 <= 4:
            found |= _listed(a, nums[j], markers, starts)
            j += 1
        if found:
            hit.append(a)
    for a in hit:
        out.add(id(a))
        a.support = 0.0
    return out


def _listed(a: Ref, b: Ref, markers, starts) -> bool:
    return a.contestant != b.contestant and not (
        markers and _across(markers, starts, min(a.t1, b.t1), min(a.t1, b.t1), max(a.t0, b.t0), max(a.t0, b.t0)))


def _scale(scored: dict, factor: float, tag_factor: float) -> dict:
    """Frame discounts: campaign hashtags by ``tag_factor``, everything else by ``factor``."""
    if factor >= 1.0 and tag_factor >= 1.0:
        return scored

    def scaled(items):
        return [(w * (tag_factor if e.cue in _TAG_CUES else factor), e) for w, e in items]
    return {cid: Scored(scaled(sc.support), scaled(sc.oppose)) for cid, sc in scored.items()}


_TAG_CUES = frozenset(("hashtag", "oppose_hashtag"))


def _merge(a: dict, b: dict) -> dict:
    out: dict[str, Scored] = {}
    for src in (a, b):
        for cid, sc in src.items():
            m = out.setdefault(cid, Scored())
            m.support.extend(sc.support)
            m.oppose.extend(sc.oppose)
    return out


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for e in sorted(evidence, key=lambda e: -e.weight):
        key = (e.cue, e.field, e.span, e.text, e.contestant)
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out

