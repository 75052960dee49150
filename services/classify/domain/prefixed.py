"""The leftmost match of a regular expression, tried only where one of its literal prefixes occurs.

Why: the mobilisation patterns run over every field the classifier reads, whole news articles included, and
their words are rare. ``re.search`` tries the pattern at every position; ``str.find`` jumps to the few
positions that can start a match. The prefixes come from the pattern's parse tree. A pattern that can start
with something other than a known string of at least two characters (a class of letters, a repeat of one)
has none and is searched as usual, so the result is always the match ``pattern.search(text)`` returns.
"""
from __future__ import annotations

import re
from re import _constants as C  # noqa: N812 - the parser's own names
from re import _parser

MIN_PREFIX = 2  # shorter prefixes occur everywhere: a plain search is faster
MAX_PREFIXES = 64
ENOUGH = 8  # strings this long are rare enough: extending them further only costs start-up time
MAX_DEPTH = 6  # groups and branches followed into; past them the strings stop (bounds start-up on any pattern)
MAX_TRIES = 64  # more starting points than this: one search from the first of them
_ZERO_WIDTH = frozenset((C.AT, C.ASSERT, C.ASSERT_NOT))  # check a position, consume nothing
_STOP = (None, None)  # where the strings stop being extended (after one pass of a repeat)


def literal_prefixes(pattern: re.Pattern) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` starts with; None when it has no such strings."""
    if not isinstance(pattern.pattern, str) or pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a private parser may change: the plain search is always right
        return None
    found = _prefixes(list(tree), 0)
    if min(map(len, found)) < MIN_PREFIX:
        return None
    # where a string occurs, any shorter string of the set it starts with occurs too: keep the shortest
    return tuple(sorted(f for f in found if not any(f != g and f.startswith(g) for g in found)))


def _prefixes(items: list, depth: int) -> set[str]:
    """Strings every match of ``items`` starts with, extended as far as the pattern is literal ("" when its
    start is not literal), at most ``MAX_PREFIXES`` of them."""
    acc = {""}
    for i, (op, av) in enumerate(items):
        if min(map(len, acc)) >= ENOUGH:
            return acc
        if op in _ZERO_WIDTH:
            continue
        if op is C.LITERAL:
            acc = {s + chr(av) for s in acc}
            continue
        if op is C.IN and all(o is C.LITERAL for o, _ in av):
            if len(acc) * len(av) > MAX_PREFIXES:
                return acc
            acc = {s + chr(c) for s in acc for _, c in av}
            continue
        rest = items[i + 1:]
        if depth >= MAX_DEPTH:
            return acc
        if op is C.SUBPATTERN and not av[1] and not av[2]:  # a group without inline flags
            options = [[*av[3], *rest]]
        elif op is C.BRANCH:
            options = [[*branch, *rest] for branch in av[1]]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            # one pass of the body, then anything (another pass or the rest); or the rest when it may be skipped
            options = [[*av[2], _STOP]] + ([rest] if av[0] == 0 else [])
        else:  # _STOP, a class, any character, a back reference...: the strings end here
            return acc
        found = {s + t for s in acc for option in options for t in _prefixes(option, depth + 1)}
        longest = max(map(len, found))
        while len(found) > MAX_PREFIXES:  # a prefix of a prefix is one too: shorten until few enough
            longest -= 1
            found = {f[:longest] for f in found}
        return found
    return acc


def first_match(pattern: re.Pattern, prefixes: tuple[str, ...] | None, text: str) -> re.Match | None:
    """The match ``pattern.search(text)`` finds (its span and groups; not its ``pos``), trying only the positions
    where one of ``prefixes`` occurs."""
    if not prefixes:
        return pattern.search(text)
    firsts = list(map(text.find, prefixes))
    starts: set[int] = set()
    for prefix, at in zip(prefixes, firsts):
        while at >= 0:
            starts.add(at)
            if len(starts) > MAX_TRIES:  # a common prefix: the engine is faster from the first one on
                return pattern.search(text, min(a for a in firsts if a >= 0))
            at = text.find(prefix, at + 1)
    for at in sorted(starts):
        m = pattern.match(text, at)  # lookbehinds and \b still see the text before ``at``
        if m:
            return m
    return None
