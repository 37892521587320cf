"""The errors of expressions: both are user errors, reported as diagnostics at the string."""

from __future__ import annotations


class ExprError(Exception):
    """An expression that cannot be parsed or evaluated (a user error)."""


class LimitError(ExprError):
    """An expression went past one of the bounds of :mod:`engine.expr.limits`.

    Its message names the bound, never the value that crossed it, so it may be shown even when
    the expression reads sensitive values.
    """
