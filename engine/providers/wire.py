"""Pulumi's wire format, undone: what providers must tolerate in the values they are given.

Pulumi serialises every number as a float and every value not known yet as ``Unknown()``. A
provider that compared ``3.0`` with ``3`` would see a change where there is none, so inputs pass
through :func:`denormalize_floats` before a provider looks at them.
"""

from __future__ import annotations

import math
from typing import Any

from pulumi.output import Unknown

from engine.expr.unknown import UNKNOWN

__all__ = ["denormalize_floats"]


def denormalize_floats(value: Any) -> Any:
    """Undo Pulumi's wire format: integral floats become ints, ``Unknown()`` the sentinel."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the common case, first
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer() and not math.isinf(value):
        return int(value)
    if isinstance(value, dict):
        return {k: denormalize_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [denormalize_floats(v) for v in value]
    return value
