"""Does this content show its author taking sides, for or against whom, in which SKB form?

The rules read every contestant reference (name, nickname, acronym, hashtag, account or reply chain,
ballot number, gesture, slogan; ``references``) and score it from the support/oppose cues around it
(``cues``); frames discount content *about* partisanship and acts of an SKB form count as support
(``frames``); the decision is the rules' alone or the target-aware model's with the rules
(``combination``, configured per election file). This module builds the matchers once from the election
configuration and runs the pieces in order; every positive points at the words that decided it.
"""
from __future__ import annotations

import bisect
import copy
import hashlib
import pathlib

import ahocorasick

from services.classify.domain import forms, lexical, lexicon, target_model
from services.classify.domain import weights as W
from services.classify.domain.combination import Combination, dedupe
from services.classify.domain.config import ElectionConfig, load_elections
from services.classify.domain.cues import Cues
from services.classify.domain.fields import Analysis, Field, Hit, Scored, combine, reply_chain
from services.classify.domain.frames import Frames, merge, scale
from services.classify.domain.normalise import (Segmenter, Token, canonical_emoji, handle_key, joined_starts,
                                                normalise_phrase, tokenize)
from services.classify.domain.references import References
from shared.schemas import Classification, ContentRecord, Evidence

RULES_VERSION = "rules-2.0"


class Classifier(References, Cues, Frames, Combination):
    """Builds the matchers once from the election config; ``classify`` is pure and thread-safe."""
    def __init__(self, config: ElectionConfig, config_digest: str = "", model: "lexical.LexicalModel | None" = None,
                 target: "target_model.TargetModel | None" = None):
        self.config = config
        self.window = config.window
        self.model = model
        self.target = target
        self.decision = config.window.decision
        self.config_digest = config_digest
        self.model_version = _model_version(model, target, config_digest)
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
            self._index_contestant(ef, race, c, add)
        for phrase, kind, key, weight, strong in lexicon.generic_phrases():
            if kind == "support" and weight == 0.0 and any(h.kind == "support" for h in payloads.get(normalise_phrase(phrase), ())):
                continue  # a negatable word that is a support cue already keeps its weight
            add(phrase, Hit(kind, key, 0, 0, weight=weight, strong=strong))
        self.contrast_roles: dict[str, tuple[str, float, float]] = {  # marker -> (role, backed weight, set-aside weight)
            normalise_phrase(term): (role, back, aside) for role, table in lexicon.CONTRAST_TABLES
            for term, (back, aside) in table.items()}
        self.combo_max = max((len(k) for k in self.emoji_combos), default=0)
        self.combo_emoji = {e for k in self.emoji_combos for e in k}
        for key, hits in payloads.items():
            self._auto.add_word(f" {key} ", (len(key.split()), hits))
        self._auto.make_automaton()
        self.segmenter = Segmenter(vocab | set(lexicon_words()) | {t for tag in self.hashtags for t in [tag]})
        self.forms = forms.FormDetector()


    def _index_contestant(self, ef, race, c, add) -> None:
        """One contestant's names, numbers, tags, accounts, slogans and gestures into the lookup tables
        (``add`` puts a phrase into the automaton)."""
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

    def with_target(self, target: "target_model.TargetModel") -> "Classifier":
        """The same rules with another target model (a version promoted at run time): the matchers are shared,
        not rebuilt, and the model version names the new model."""
        clone = copy.copy(self)
        clone.target = target
        clone.model_version = _model_version(self.model, target, self.config_digest)
        return clone

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
        s = " " + " ".join(norms) + " "
        starts = joined_starts(norms, 1)
        hits = self._scan(s, starts, tokens)
        sentence, quoted = [], []
        sid, inside, run, longest = 0, False, 0, W.MAX_SENTENCE
        for t in tokens:
            kind = t.kind
            run += 1
            if kind == "stop" or run > longest:
                sid += 1
                run = 0
            if kind == "quote":
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
        evidence = dedupe(evidence)
        score = best if partisan else best_any
        result = Classification(partisan=partisan, score=round(min(score, 1.0), 3), stance=stances, form=form,
                                evidence=evidence[:20], model_version=self.model_version)
        return result, a.own + a.target_fields

    def target_examples(self, record: ContentRecord) -> dict[str, dict]:
        """The target model's features for every contestant the record names (what ``make train`` fits)."""
        a = self._analyse(record)
        if isinstance(a, tuple):
            return {}
        scores = self._rule_scores(a)
        counts = self._post_features(record, a, len(scores)).expand()
        fields_by_name, chain = {f.name: f for f in a.own}, reply_chain(a.own[0])
        return {cid: counts | dict.fromkeys(self._contestant_features(a, fields_by_name, chain, cid, sup, opp), 1.0)
                for cid, (sup, opp, _) in scores.items()}

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

        # the form cues (a pattern search over every field) are found only when something reads them: a ballot
        # number without election context, a contestant an act can name, or (in ``detect``) a partisan item
        form_cues = None
        own_context = self._has_context(own) or self._has_context(target_fields)
        if not own_context and any(t.kind == "number" for f in own for t in f.tokens):
            form_cues = self.forms.cues(own)
        voted = any(h.kind == "voted" for f in own for h in f.hits) or any(
            lab.lower().replace("_", " ").strip() in lexicon.VOTED for _, lab in labels)
        own_scored, own_refs = self._score(own, own_context, record, labels,
                                           num_context=own_context or bool(form_cues), voted=voted)
        acting = self._act_targets(own_refs)
        if acting:
            if form_cues is None:
                form_cues = self.forms.cues(own)
            self._form_acts(form_cues, acting, own_scored)
        factor, tag_factor, model_factor, frame_ev = self._frames(own, record.source)
        kind = record.kind
        engaged: dict[str, tuple[float, Evidence]] = {}
        target_scored: dict[str, Scored] = {}
        if record.target is not None:
            engaged = self._engagement_targets(record)
            if target_fields and kind in ("like", "share", "follow", "join_group"):
                t_context = self._has_context(target_fields)
                target_scored, _ = self._score(target_fields, t_context, None, [])
                t_factor, t_tag_factor, _, _ = self._frames(target_fields, "")
                target_scored = scale(target_scored, t_factor, t_tag_factor)
                if kind in ("follow", "join_group"):
                    self._group_cue(target_fields, target_scored)

        own_scaled = scale(own_scored, factor, tag_factor)
        merged = merge(own_scaled, target_scored if kind != "comment" else {})
        for cid, (w, ev) in engaged.items():
            sc = merged.setdefault(cid, Scored())
            opp = combine([x for x, _ in sc.oppose])
            if kind == "comment" and opp >= 0.45:
                sc.oppose.append((max(opp, W.COMMENT_OPPOSE), ev))
            else:
                sc.support.append((w, ev))

        if any(r.field == "text" and own[0].tokens[r.t0].kind == "hashtag" for r in own_refs):
            # a hashtag naming a contestant is the poster's own addition (the buzzer template: a headline, a link,
            # a tag): headline and news words no longer discount what the model reads, as for the rules' hashtags
            model_factor = max(model_factor, tag_factor)
        return Analysis(own, target_fields, labels, own_refs, merged, frame_ev, form_cues, engaged, model_factor)


def _model_version(model, target, config_digest: str) -> str:
    """Rules, trained components and configuration in one name (every classification records it)."""
    trained = "".join(f"+{m.version}" for m in (model, target) if m is not None)
    return f"pantau-classify/{RULES_VERSION}{trained}+cfg.{config_digest[:10] or 'inline'}"


def lexicon_words() -> set[str]:
    words: set[str] = set()
    for table in (lexicon.SUPPORT, lexicon.OPPOSE, lexicon.CONTRAST_PREFER, lexicon.CONTRAST_OVER, lexicon.COMPARATORS):
        for k in table:
            words.update(k.split())
    words.update({"salam", "jari", "presiden", "rakyat", "menang", "pilih", "coblos", "tolak", "asal", "bukan", "bersama",
                  "indonesia", "maju", "gerak", "cepat", "putaran", "relawan", "lanjutkan", "perubahan", "paling", "pas"})
    return words
