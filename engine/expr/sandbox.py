"""The Jinja2 sandbox that evaluates expressions: nothing in a spec reaches Python internals.

``jinja2.sandbox.SandboxedEnvironment`` refuses unsafe attributes (``__class__``, ``mro``,
function globals, ...). On top of it, arithmetic that could exhaust memory (huge powers, huge
string or list repetition) is refused, and undefined names are errors, not empty strings.
"""

from __future__ import annotations

import operator
from functools import cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

MAX_POWER_EXPONENT = 128
MAX_SEQUENCE_LEN = 1_000_000


class SpecSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["**", "*"])

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > MAX_POWER_EXPONENT:
                raise OverflowError(f"exponent {right} is too large (max {MAX_POWER_EXPONENT})")
            return operator.pow(left, right)
        for seq, count in ((left, right), (right, left)):
            sized = isinstance(seq, str | list | tuple) and isinstance(count, int)
            if sized and len(seq) * count > MAX_SEQUENCE_LEN:
                raise OverflowError("repetition result is too large")
        return operator.mul(left, right)


@cache
def environment() -> SpecSandbox:
    return SpecSandbox(undefined=StrictUndefined, autoescape=False)
