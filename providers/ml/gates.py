"""Evaluation gates: conditions such as ``">= 0.9"`` that a measured metric must meet.

Parsed at plan time, so a malformed condition is a diagnostic on ``gates.METRIC`` before
anything runs; judged at apply time against the measured value.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Gate", "GateSyntaxError", "parse_gate"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_GATE = re.compile(
    r"^\s*(?P<op>>=|<=|==|>|<)\s*(?P<value>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


class GateSyntaxError(ValueError):
    """A condition that is not ``OP NUMBER``."""


@dataclass(frozen=True)
class Gate:
    metric: str
    op: str
    threshold: float

    @property
    def condition(self) -> str:
        return f"{self.op} {self.threshold:g}"

    def passes(self, value: float) -> bool:
        return not math.isnan(value) and _OPS[self.op](value, self.threshold)


def parse_gate(metric: str, condition: str) -> Gate:
    match = _GATE.match(condition)
    if match is None:
        raise GateSyntaxError(
            f"malformed gate {condition!r}: write an operator (>=, >, <=, <, ==) and a "
            'number, e.g. ">= 0.9"'
        )
    return Gate(metric, match["op"], float(match["value"]))
