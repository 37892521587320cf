"""What one expression may spend: a deadline and a total size of the values it makes.

The sandbox charges every value an operation makes against the budget of the evaluation in
progress (a context variable, so concurrent apply threads each have their own), and checks the
deadline at every step. :func:`rendered_size` measures a value the way the bounds count it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from engine.expr import limits
from engine.expr.errors import LimitError


def rendered_size(value: Any, stop_after: int) -> int:
    """About the length of ``value`` as text, counted until it passes ``stop_after``.

    Shared items count every time they appear (``[x] * 1000`` renders ``x`` a thousand times),
    and counting stops early, so measuring a huge value costs no more than the bound.
    """
    total = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item) + 2
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total <= stop_after:
                pending.extend(item.keys())
                pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            if total <= stop_after:
                pending.extend(item)
        else:
            total += 8
        if total > stop_after:
            return total
    return total


class Budget:
    """The deadline and the size allowance of one expression's evaluation."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + limits.MAX_EVALUATION_SECONDS
        self.allocated = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitError(
                f"expression took longer than {limits.MAX_EVALUATION_SECONDS:g} s to evaluate"
            )

    def charge(self, value: Any) -> None:
        """Count ``value``, just made by an operation, against the bounds."""
        self.tick()
        size = rendered_size(value, limits.MAX_VALUE_SIZE)
        if size > limits.MAX_VALUE_SIZE:
            raise too_large()
        self.allocated += size
        if self.allocated > limits.MAX_ALLOCATED:
            raise LimitError(
                f"expression made more than {limits.MAX_ALLOCATED:,} characters of values"
            )


def too_large() -> LimitError:
    return LimitError(f"value larger than {limits.MAX_VALUE_SIZE:,} characters")


_current: ContextVar[Budget | None] = ContextVar("expression_budget", default=None)


@contextmanager
def evaluation_budget() -> Iterator[Budget]:
    """A fresh budget for the expression evaluated inside the ``with`` block."""
    budget = Budget()
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current_budget() -> Budget:
    """The budget of the evaluation in progress (a fresh one outside any evaluation)."""
    return _current.get() or Budget()
