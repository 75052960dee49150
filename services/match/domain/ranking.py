"""From scored candidates to results: the bands, and the rules that look across candidates.

Two rules no single candidate's features can see: several name-only candidates about equally good
cannot all be the author (``ambiguity``), and one author is one person, whom an exact key decides
(``one_person_per_author``). Both cap a score just under the threshold and say so in the explanation.
"""
from __future__ import annotations

from shared.schemas import Match

from .candidates import NO_KEY, candidates, key_rank
from .query import Query
from .scoring import Feature, Scorer, explanation, line

Excluded = frozenset[tuple[str, str]] | set[tuple[str, str]]
# (score, nip, pid, features, has_id, key_rank, corroborated); key_rank orders exact keys (NIP in the
# profile, handle on the same platform, handle linked in the bio, NIP in the post).
Scored = tuple[float, str, int, list[Feature], bool, int, bool]


def rank(q: Query, excluded: Excluded) -> list[tuple[Match, int | None]]:
    """Results, best first, each with how many registry people hold the name (None: found by key only)."""
    found = candidates(q)
    if not found:
        return []
    e = q.engine
    cfg = e.config
    scorer = Scorer(q)
    score = scorer.score
    scored: list[Scored] = []
    floor = cfg.review_threshold
    for pid, reasons in found.items():
        if excluded and (e.nip_of(pid), q.author_key) in excluded:
            continue
        value, feats, has_id, corroborated = score(pid, reasons)
        if value >= floor:
            scored.append((value, e.nip_of(pid), pid, feats, has_id, key_rank(reasons), corroborated))
    if not scored:
        return []
    scored.sort(key=lambda item: (-item[0], item[1]))
    cap = round(cfg.threshold - 0.01, 4)
    scored = _ambiguity(scored, cap, cfg.weights.ambiguity_gap)
    final = _one_person_per_author(scored, cap, floor)
    out: list[tuple[Match, int | None]] = []
    for value, nip, pid, feats, _, _, _ in final[:cfg.max_results]:
        band = "match" if value >= cfg.threshold else "review"
        # Strict: every field is built here with its exact type, so no coercion is tried.
        match = Match.model_validate({"nip": nip, "band": band, "score": round(value, 4),
                                      "explanation": [explanation(f) for f in feats],
                                      "subject": e._subject_fields(pid), "author_key": q.author_key},
                                     strict=True)
        out.append((match, scorer.frequencies.get(pid)))
    return out


def _ambiguity(scored: list[Scored], cap: float, gap: float) -> list[Scored]:
    """Several name-only candidates close to the top cannot all be the author, so none of them is
    `match` (each stays a candidate for review)."""
    name_only = [s for s in scored if not s[4]]
    if len(name_only) < 2 or name_only[0][0] - name_only[1][0] > gap:
        return scored
    top = name_only[0][0]
    group = sum(1 for s in name_only if top - s[0] <= gap)
    adjusted = []
    for value, nip, pid, feats, has_id, rank_, corroborated in scored:
        if not has_id and top - value <= gap and value > cap:
            feats = feats + [line("ambiguity", cap - value, f"{group} registry people fit about equally well; "
                                 "none can be `match` on name evidence")]
            value = cap
        adjusted.append((value, nip, pid, feats, has_id, rank_, corroborated))
    return sorted(adjusted, key=lambda item: (-item[0], item[1]))


def _one_person_per_author(scored: list[Scored], cap: float, floor: float) -> list[Scored]:
    """An exact key (NIP, same-platform or linked handle) decides who the author is. Everyone else
    is `review` at most, and kept only when separately corroborated (region, agency, unit, role) or
    holding an exact key of their own."""
    keyed = [s for s in scored if s[5] < NO_KEY]
    decider = min(keyed, key=lambda item: (item[5], -item[0], item[1])) if keyed else scored[0]
    final = [decider]
    for item in scored:
        if item is decider:
            continue
        value, nip, pid, feats, has_id, rank_, corroborated = item
        if keyed and rank_ == NO_KEY and not corroborated:
            continue
        if value > cap:
            why = ("the author is already identified by an exact key (NIP or handle)" if keyed
                   else "a better-fitting registry person is already `match` for this author")
            feats = feats + [line("one_person_per_author", cap - value, why)]
            value = cap
        if value >= floor:
            final.append((value, nip, pid, feats, has_id, rank_, corroborated))
    final.sort(key=lambda item: (-item[0], item[1]))
    return final
