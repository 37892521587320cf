"""What an evaluated expression hands back: plain data a spec can hold, within the size bound.

Jinja2 values are richer than spec values: filters return generators (``map``, ``reverse``),
methods return bytes or tuples, a forgotten ``()`` returns a function, an undefined name is an
``Undefined`` object. Stored as they are, they would break state and plan files later, far from
the expression (or, for a generator, print a memory address). :func:`spec_value` turns them into
strings, numbers, booleans, null, lists and maps here, or says why it cannot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, KeysView, ValuesView
from typing import Any

from jinja2 import Undefined

from engine.expr import limits
from engine.expr.budget import rendered_size, too_large
from engine.expr.errors import ExprError

_SCALARS = (bool, int, float, type(None))
_KEYS = (str, *_SCALARS)


def spec_value(value: Any) -> Any:
    """``value`` as plain spec data; raises ExprError for a value a spec cannot hold."""
    if rendered_size(value, limits.MAX_VALUE_SIZE) > limits.MAX_VALUE_SIZE:
        raise too_large()
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return value if type(value) is str else str(value)  # Markup, from `|safe`
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if isinstance(value, Iterator | KeysView | ValuesView | range):
        return spec_value(_bounded_list(value))
    raise ExprError(_not_a_value(value))


def _key(key: Any) -> Any:
    if isinstance(key, _KEYS):
        return _plain(key)
    raise ExprError(f"a map key must be a string or a number, not {_kind(key)}")


def _bounded_list(items: Iterable[Any]) -> list[Any]:
    out = []
    for item in items:
        out.append(item)
        if len(out) > limits.MAX_VALUE_SIZE:
            raise too_large()
    return out


def _not_a_value(value: Any) -> str:
    if callable(value):
        return "the value is a function or method: call it with ()"
    if isinstance(value, bytes | bytearray):
        return "the value is bytes, not text: use .decode()"
    if isinstance(value, set | frozenset):
        return "the value is a set, which has no order: use |sort"
    return f"the value is {_kind(value)}, not a string, number, bool, list or map"


def _kind(value: Any) -> str:
    return f"a {type(value).__name__}"


def rendered_text(value: Any) -> str:
    """``value`` as it appears inside a longer string (as Jinja2 renders ``{{ value }}``)."""
    plain = spec_value(value)
    return plain if isinstance(plain, str) else str(plain)
