"""Alertmanager label matchers and route selection, with Alertmanager's semantics.

A matcher is ``name OP value`` with ``=``, ``!=``, ``=~`` or ``!~``; the value may be
double-quoted (with backslash escapes) and regular expressions are anchored at both ends, as
Alertmanager does. Routes are tried in order; the first match wins unless it sets
``continue``, in which case later routes are tried too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from providers.monitor.errors import MatcherSyntaxError

__all__ = ["Matcher", "Route", "matching_routes", "parse_matcher"]

_MATCHER = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


class MatchOp(StrEnum):
    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


@dataclass(frozen=True)
class Matcher:
    name: str
    op: MatchOp
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        match self.op:
            case MatchOp.EQ:
                return actual == self.value
            case MatchOp.NE:
                return actual != self.value
            case MatchOp.RE:
                return re.fullmatch(self.value, actual) is not None
            case MatchOp.NRE:
                return re.fullmatch(self.value, actual) is None

    def __str__(self) -> str:
        return f"{self.name}{self.op.value}{json.dumps(self.value)}"


def _unquote(raw: str, text: str) -> str:
    if not raw.startswith('"'):
        if '"' in raw:
            raise MatcherSyntaxError(f"unbalanced quotes in matcher {text!r}")
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        raise MatcherSyntaxError(f"invalid quoted value in matcher {text!r}") from None
    if not isinstance(value, str):
        raise MatcherSyntaxError(f"invalid quoted value in matcher {text!r}")
    return value


def parse_matcher(text: str) -> Matcher:
    match = _MATCHER.match(text)
    if match is None:
        raise MatcherSyntaxError(
            f'invalid matcher {text!r}: write name="value" (operators = != =~ !~)'
        )
    name, op, raw = match.groups()
    value = _unquote(raw, text)
    if op in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as exc:
            raise MatcherSyntaxError(f"invalid regular expression in {text!r}: {exc}") from None
    return Matcher(name, MatchOp(op), value)


@dataclass(frozen=True)
class Route:
    name: str
    matchers: tuple[Matcher, ...]
    receiver: str
    owner: str | None = None
    continue_matching: bool = False
    order: int = 100

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)


def matching_routes(labels: Mapping[str, str], routes: Iterable[Route]) -> list[Route]:
    """The routes an alert with ``labels`` takes, in Alertmanager's order."""
    taken = []
    for route in sorted(routes, key=lambda r: (r.order, r.name)):
        if route.matches(labels):
            taken.append(route)
            if not route.continue_matching:
                break
    return taken
