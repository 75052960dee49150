"""Deciding: per contestant, the rules' scores alone, the older lexical model in the rules' grey zone, or the
target-aware model with the rules (``classification.model`` in the election YAML; thresholds in ``weights``
and ``classification.decision``). Every decision keeps the evidence that made it."""
from __future__ import annotations

from services.classify.domain import lexical, target_model
from services.classify.domain import weights as W
from services.classify.domain.fields import Analysis, Scored, combine, new_evidence, reply_chain
from shared.schemas import ContentRecord, Evidence, Stance

CLASSES_INDEX = {c: i for i, c in enumerate(target_model.CLASSES)}
CERTAIN_CUES = frozenset(("hashtag", "oppose_hashtag", "slogan", "campaign_account"))


class Combination:
    """Mixin of the Classifier."""

    def _rule_scores(self, a: Analysis) -> dict[str, tuple[float, float, Scored]]:
        """contestant -> (rule support, rule oppose, scores) for every contestant the record names."""
        out = {}
        for cid in sorted({r.contestant for r in a.refs} | set(a.merged)):
            sc = a.merged.get(cid) or Scored()
            out[cid] = (combine([w for w, _ in sc.support]), combine([w for w, _ in sc.oppose]), sc)
        return out

    def _post_features(self, record: ContentRecord, a: Analysis, n_targets: int) -> target_model.PostFeatures:
        frames = {e.cue.split(":", 1)[1] for e in a.frame_ev}
        named = frozenset((r.field, i) for r in a.refs for i in range(r.t0, r.t1 + 1))
        return target_model.post_features(a.own, frames, record.kind, record.source, n_targets, named)

    @staticmethod
    def _contestant_features(a: Analysis, fields_by_name: dict, chain: int, cid: str, sup: float, opp: float) -> dict:
        return target_model.target_features(fields_by_name, a.refs, cid, sup, opp, chain)

    def _decide_with_target(self, record: ContentRecord, a: Analysis):
        """Per contestant: the rules when they are certain; otherwise the target model's probability of a side,
        or the rules when they are sure and the model does not rule it out (see Decision)."""
        d = self.decision
        stances: list[Stance] = []
        evidence: list[Evidence] = []
        best = best_any = 0.0
        also: list[tuple[str, float, float, Scored]] = []  # contestants the rules score but the model did not take
        scores = self._rule_scores(a)
        post = post_sums = None  # read only when a contestant needs the model
        for cid, (sup, opp, sc) in scores.items():
            rule = max(sup, opp)
            tagged = all(r.kind in target_model.TAG_KINDS for r in a.refs if r.contestant == cid)
            if rule >= d.rule_certain and not tagged and any(ev.cue in CERTAIN_CUES for _, ev in sc.support + sc.oppose):
                # the poster's own campaign hashtag or slogan and a rule score this high ("coblos 02 ...
                # #PrabowoGibran2024"): the model is not asked (nor its time spent)
                polarity = rule_side(sc, sup, opp, evidence)
                stances.append(Stance(contestant=cid, polarity=polarity, score=round(rule, 3)))
                best = best_any = max(best, rule)
                continue
            if post is None:
                post = self._post_features(record, a, len(scores))
                post_sums = self.target.post_sums(post)
                fields_by_name, chain = {f.name: f for f in a.own}, reply_chain(a.own[0])
            feats = self._contestant_features(a, fields_by_name, chain, cid, sup, opp)
            probs, p_opp = self.target.probabilities(post_sums, feats)
            # the model reads the words, the frames say whose words they are: it is discounted like the rules
            p = (1.0 - probs[0]) * a.frame_factor
            if unnamed(a.refs, cid):
                # only @-tagged, or only a sign that is also everyday ("✌️"): the author's words never name them
                p, rule = p * d.tag_only, rule * d.tag_only
            best_any = max(best_any, p, rule)
            by_model = p >= d.p_partisan
            if not (by_model or (rule >= d.rule_sure and p >= d.p_floor)):
                if rule >= W.STANCE_MIN and p >= d.p_floor:
                    also.append((cid, sup, opp, sc))
                continue
            if by_model:
                polarity, score = ("oppose" if p_opp >= 0.5 else "support"), p
                if abs(p_opp - 0.5) < W.CLOSE_CALL and abs(sup - opp) >= target_model.LEAN and (
                        record.source not in W.CLOSE_CALL_MODEL_SOURCES):
                    # the model hardly knows which way and the rules lean one way (an insult, a negated vote, mocked
                    # praise, "better than the others"): the rules' side
                    polarity = "support" if sup > opp else "oppose"
                rule_side(sc, sup, opp, evidence, polarity)
            else:
                polarity, score = rule_side(sc, sup, opp, evidence), rule
            stances.append(Stance(contestant=cid, polarity=polarity, score=round(score, 3)))
            best = max(best, score)
            evidence.extend(self._model_evidence(a, cid, polarity, p, p_opp, post, feats))
        if stances:
            # once the author takes a side, the other contestants the rules score are listed as the rules read
            # them ("coblos X ketimbang Y": X backed, Y set aside), unless the model rules them out
            for cid, sup, opp, sc in also:
                polarity = rule_side(sc, sup, opp, evidence)
                stances.append(Stance(contestant=cid, polarity=polarity, score=round(max(sup, opp), 3)))
        stances.sort(key=lambda s: -s.score)
        return bool(stances), best, best_any, stances, evidence

    def _model_evidence(self, a: Analysis, cid: str, polarity: str, p: float, p_opp: float,
                        post: target_model.PostFeatures, own: dict) -> list[Evidence]:
        """The model's say on one contestant: its probabilities, then its strongest features, each word at its span."""
        feats = post.spans() | own
        side = p_opp if polarity == "oppose" else 1.0 - p_opp
        out = [new_evidence(cue="model", text=f"p(side)={p:.3f} p({polarity})={side:.3f}", field="model",
                            contestant=cid, weight=round(p, 3))]
        texts = {f.name: f.text for f in a.own}
        for name, w in self.target.top_features(post, own, CLASSES_INDEX[polarity]):
            where = feats.get(name)
            if where is None:  # rule scores, reference kinds, the post's shape: they name themselves
                out.append(new_evidence(cue="model_feature", text=name, field="model", contestant=cid, weight=w))
            else:
                field, start, end = where
                out.append(new_evidence(cue=f"model_feature:{name}", text=texts[field][start:end], field=field,
                                        contestant=cid, weight=w, span=(start, end)))
        return out

    def _decide_by_rules(self, record, own, target_fields, labels, merged):
        stances: list[Stance] = []
        evidence: list[Evidence] = []
        best = best_any = 0.0
        for cid, sc in merged.items():
            sup = combine([w for w, _ in sc.support])
            opp = combine([w for w, _ in sc.oppose])
            score = max(sup, opp)
            best_any = max(best_any, score)
            if score < W.STANCE_MIN:
                continue
            polarity = "support" if sup >= opp else "oppose"
            stances.append(Stance(contestant=cid, polarity=polarity, score=round(score, 3)))
            chosen = sc.support if polarity == "support" else sc.oppose
            evidence.extend(ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.25)
            best = max(best, score)
        stances.sort(key=lambda s: -s.score)
        partisan = best >= W.THRESHOLD
        if self.model is not None and (W.RESCUE_FROM <= best_any < W.VETO_BELOW):
            partisan, stances, evidence = self._model_rule(record, own + target_fields, labels, partisan, best,
                                                           best_any, merged, stances, evidence)
            if partisan:
                best = max(best, best_any)
        return partisan, best, best_any, stances, evidence

    def _model_rule(self, record, fields, labels, partisan, best, best_any, merged, stances, evidence):
        """The grey-zone rule: veto a weak rule positive or raise a near-miss, naming the model's top features."""
        p, contrib = self.model.score(lexical.features(fields, [lab for _, lab in labels], record.kind, record.source))
        top = [c for c in contrib if (c[1] > 0) == (p >= 0.5)][:3]
        model_ev = [new_evidence(cue="model", text=f"p={p:.3f}", field="model", weight=round(p, 3))] + [
            new_evidence(cue="model_feature", text=name, field="model", weight=round(w, 3)) for name, w in top]
        if partisan and best < W.VETO_BELOW and p < W.P_VETO:
            return False, [], evidence + model_ev
        if not partisan and best_any >= W.RESCUE_FROM and p >= W.P_RESCUE:
            cid, sc = max(merged.items(), key=lambda kv: max(combine([w for w, _ in kv[1].support]),
                                                            combine([w for w, _ in kv[1].oppose])))
            sup, opp = combine([w for w, _ in sc.support]), combine([w for w, _ in sc.oppose])
            polarity = "support" if sup >= opp else "oppose"
            chosen = sc.support if polarity == "support" else sc.oppose
            evidence = evidence + [ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.1]
            return True, [Stance(contestant=cid, polarity=polarity, score=round(max(sup, opp), 3))], evidence + model_ev
        return partisan, stances, evidence


def dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen, out = set(), []
    for e in sorted(evidence, key=lambda e: -e.weight):
        key = (e.cue, e.field, e.span, e.text, e.contestant)
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


def unnamed(refs, cid: str) -> bool:
    """Whether the contestant is only @-tagged or shown only by a sign without election context (a bare ✌️)."""
    mine = [r for r in refs if r.contestant == cid]
    return bool(mine) and all(r.kind in target_model.TAG_KINDS or (
        r.kind in ("gesture_emoji", "gesture_combo") and r.support < W.GESTURE_EMOJI[0]) for r in mine)


def rule_side(sc: Scored, sup: float, opp: float, evidence: list, polarity: str | None = None) -> str:
    """The side the rules read (or ``polarity`` when given), its evidence added strongest first."""
    polarity = polarity or ("support" if sup >= opp else "oppose")
    chosen = sc.support if polarity == "support" else sc.oppose
    evidence.extend(ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.1)
    return polarity
