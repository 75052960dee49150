"""Deciding: per contestant, the rules' scores alone, the older lexical model in the rules' grey zone, or the
target-aware model with the rules (``classification.model`` in the election YAML; thresholds in ``weights``
and ``classification.decision``). Every decision keeps the evidence that made it."""
from __future__ import annotations

from services.classify.domain import lexical, target_model
from services.classify.domain import weights as W
from services.classify.domain.fields import Analysis, Scored, combine, new_evidence, reply_chain
from shared.schemas import ContentRecord, Evidence, Stance

CLASSES_INDEX = {c: i for i, c in enumerate(target_model.CLASSES)}


class Combination:
    """Mixin of the Classifier."""

    def _target_features(self, record: ContentRecord, a: Analysis) -> tuple[dict, dict[str, tuple[dict, float, float, Scored]]]:
        """The record's post features, and per contestant named: (its own features, rule support, rule oppose, scores)."""
        fields_by_name = {f.name: f for f in a.own}
        cids = sorted({r.contestant for r in a.refs} | set(a.merged))
        frames = {e.cue.split(":", 1)[1] for e in a.frame_ev}
        post = target_model.post_features(a.own, frames, record.kind, record.source, len(cids))
        chain = reply_chain(a.own[0])
        out = {}
        for cid in cids:
            sc = a.merged.get(cid) or Scored()
            sup, opp = combine([w for w, _ in sc.support]), combine([w for w, _ in sc.oppose])
            out[cid] = (target_model.target_features(fields_by_name, a.refs, cid, sup, opp, chain), sup, opp, sc)
        return post, out

    def _decide_with_target(self, record: ContentRecord, a: Analysis):
        """Per contestant: the target model's probability of a side, or the rules when they are sure (see Decision)."""
        d = self.decision
        stances: list[Stance] = []
        evidence: list[Evidence] = []
        best = best_any = 0.0
        also: list[tuple[str, float, float, Scored]] = []  # contestants the rules score but the model did not take
        post, targets = self._target_features(record, a)
        post_sums = self.target.post_sums(post)
        for cid, (feats, sup, opp, sc) in targets.items():
            probs, p_opp = self.target.probabilities(post_sums, feats)
            # the model reads the words, the frames say whose words they are: it is discounted like the rules
            p = (1.0 - probs[0]) * a.frame_factor
            rule = max(sup, opp)
            if "t:tag_only" in feats:
                p, rule = p * d.tag_only, rule * d.tag_only
            best_any = max(best_any, p, rule)
            by_model = p >= d.p_partisan
            if not (by_model or (rule >= d.rule_sure and p >= d.p_floor)):
                if rule >= W.STANCE_MIN and p >= d.p_floor:
                    also.append((cid, sup, opp, sc))
                continue
            if by_model:
                polarity, score = ("oppose" if p_opp >= 0.5 else "support"), p
            else:
                polarity, score = ("support" if sup >= opp else "oppose"), rule
            stances.append(Stance(contestant=cid, polarity=polarity, score=round(score, 3)))
            best = max(best, score)
            chosen = sc.support if polarity == "support" else sc.oppose
            evidence.extend(ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.1)
            evidence.extend(self._model_evidence(a, cid, polarity, p, p_opp, post, feats))
        if stances:
            # once the author takes a side, the other contestants the rules score are listed as the rules read
            # them ("coblos X ketimbang Y": X backed, Y set aside), unless the model rules them out
            for cid, sup, opp, sc in also:
                polarity = "support" if sup >= opp else "oppose"
                stances.append(Stance(contestant=cid, polarity=polarity, score=round(max(sup, opp), 3)))
                chosen = sc.support if polarity == "support" else sc.oppose
                evidence.extend(ev for w, ev in sorted(chosen, key=lambda x: -x[0]) if w >= 0.1)
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
