"""Gates: conditions such as ``">= 0.9"`` that a measured value must meet.

One grammar for every family (an evaluation's ``gates``, a benchmark's, a threshold monitor's
``comparison``): an operator among ``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=`` and a number.
:data:`Gate` is the type spec models use, so a malformed condition is a validation error at
its YAML position before anything runs; :func:`parse_condition` turns the text into a
:class:`Condition` that judges a measured value at apply time.

>>> parse_condition(">= 0.9").passes(0.93)
True
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import AfterValidator

__all__ = ["Comparison", "Condition", "Gate", "GateSyntaxError", "parse_condition"]


class Comparison(StrEnum):
    """How a measured value is compared with a bound."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="
    NE = "!="

    def holds(self, value: float, bound: float) -> bool:
        return _OPERATORS[self](value, bound)


_OPERATORS: dict[Comparison, Callable[[float, float], bool]] = {
    Comparison.GE: operator.ge,
    Comparison.GT: operator.gt,
    Comparison.LE: operator.le,
    Comparison.LT: operator.lt,
    Comparison.EQ: operator.eq,
    Comparison.NE: operator.ne,
}
# Two-character operators first, so ">=" is not read as ">" followed by "=".
_CONDITION = re.compile(
    r"^\s*(?P<op>>=|<=|==|!=|>|<)\s*(?P<bound>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)
_SYNTAX = 'write an operator (>=, >, <=, <, ==, !=) and a number, e.g. ">= 0.9"'


class GateSyntaxError(ValueError):
    """A condition that is not ``OPERATOR NUMBER``."""


class Condition(NamedTuple):
    """A parsed gate condition: ``Condition(Comparison.GE, 0.9)`` for ``">= 0.9"``."""

    op: Comparison
    threshold: float

    def passes(self, value: float | None) -> bool:
        """Whether ``value`` meets the condition; a missing or NaN measurement never does."""
        if value is None or math.isnan(value):
            return False
        return self.op.holds(value, self.threshold)

    def __str__(self) -> str:
        return f"{self.op.value} {self.threshold:g}"


def parse_condition(text: str) -> Condition:
    """``"<= 50"`` gives ``Condition(Comparison.LE, 50.0)``; a :class:`GateSyntaxError` says
    what a condition looks like."""
    match = _CONDITION.match(text)
    if match is None:
        raise GateSyntaxError(f"malformed gate condition {text!r}: {_SYNTAX}")
    return Condition(Comparison(match["op"]), float(match["bound"]))


def _check_gate(text: str) -> str:
    parse_condition(text)
    return text


Gate = Annotated[str, AfterValidator(_check_gate)]
"""A gate condition as written in a spec (``">= 0.9"``), checked against the grammar."""
