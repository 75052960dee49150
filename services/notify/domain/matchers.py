"""Alertmanager-style label matchers: ``name="value"``, ``name!="value"``, ``name=~"regex"``,
``name!~"regex"``.

Semantics follow Alertmanager: a missing label is the empty string, and regular expressions are
fully anchored (``form=~"engagement|partisan_photo"`` does not match ``engagement_x``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Literal, Mapping

from pydantic import AfterValidator

MatchOp = Literal["=", "!=", "=~", "!~"]

# name, operator, then a double-quoted value (with \" and \\ escapes) or a bare token.
_MATCHER_RE = re.compile(
    r"""^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*"""
    r"""(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^"\s,]*))\s*$"""
)


class MatcherError(ValueError):
    """A matcher string that cannot be parsed or compiled."""


@dataclass(frozen=True)
class Matcher:
    name: str
    op: MatchOp
    value: str
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> "Matcher":
        m = _MATCHER_RE.match(text)
        if not m:
            raise MatcherError(
                f"invalid matcher {text!r}: expected name=\"value\", name!=\"value\", "
                f"name=~\"regex\" or name!~\"regex\""
            )
        value = m.group("quoted")
        if value is None:
            value = m.group("bare") or ""
        else:
            value = re.sub(r"\\(.)", r"\1", value)
        op: MatchOp = m.group("op")  # type: ignore[assignment]
        regex = None
        if op in ("=~", "!~"):
            try:
                regex = re.compile(f"(?:{value})\\Z", re.DOTALL)
            except re.error as exc:
                raise MatcherError(f"invalid regular expression in matcher {text!r}: {exc}") from exc
        return cls(m.group("name"), op, value, regex)

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "") or ""
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        assert self._regex is not None
        hit = self._regex.match(actual) is not None
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'

    def explain(self, labels: Mapping[str, str]) -> str:
        """``form=~"engagement|partisan_photo" (form="engagement")`` — for the route that fired.
        An equality that holds needs no second copy of its value."""
        actual = labels.get(self.name, "") or ""
        if self.op == "=" and actual == self.value:
            return str(self)
        shown = "<absent>" if self.name not in labels else f'"{actual}"'
        return f"{self} ({self.name}={shown})"


def parse_matchers(items: list[str] | tuple[str, ...]) -> tuple[Matcher, ...]:
    return tuple(Matcher.parse(item) for item in items)


def all_match(matchers: tuple[Matcher, ...] | list[Matcher], labels: Mapping[str, str]) -> bool:
    return all(m.matches(labels) for m in matchers)


def _validated(items: list[str]) -> list[str]:
    """Config keeps matchers as written (for display); parsing them once rejects bad ones at load."""
    parse_matchers(items)
    return items


MatcherStrings = Annotated[list[str], AfterValidator(_validated)]
