"""Checks made before an operation runs, so that a huge result is refused before it is built.

The size of most results is known from their operands: a padded string is as wide as the
width asked for, a repetition is the operand times the count, ``replace`` adds the growth of
each occurrence. Each check here estimates that size and refuses it past
``limits.MAX_VALUE_SIZE``; what an operation actually made is measured afterwards by the budget.
"""

from __future__ import annotations

import inspect
import re
import types
from collections.abc import Callable, Iterable
from string import Formatter
from typing import Any

from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter

from engine.expr import limits
from engine.expr.budget import rendered_size, too_large
from engine.expr.errors import LimitError

Arguments = dict[str, Any]


def _refuse_over(size: int) -> None:
    if size > limits.MAX_VALUE_SIZE:
        raise too_large()


def _width(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _text_size(value: Any) -> int:
    if isinstance(value, str | bytes | bytearray):
        return len(value)
    return rendered_size(value, limits.MAX_VALUE_SIZE)


def replaced_size(text: Any, old: Any, new: Any, count: Any) -> int:
    """The length of ``text.replace(old, new, count)``, without building it."""
    given = (text, old, new)
    if not (all(isinstance(v, str) for v in given) or all(isinstance(v, bytes) for v in given)):
        return _text_size(text)  # the call itself reports the type mistake
    occurrences = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    return len(text) + occurrences * max(len(new) - len(old), 0)


# -- binary operators --------------------------------------------------------------------

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def check_percent(template: Any, values: Any) -> None:
    """``template % values``: every conversion is at most as wide as its widest argument."""
    text = template.decode("latin-1") if isinstance(template, bytes) else template
    if not isinstance(text, str):
        return
    specs = _PERCENT_SPEC.findall(text)
    if not specs:
        return
    given = (
        values
        if isinstance(values, tuple)
        else (list(values.values()) if isinstance(values, dict) else [values])
    )
    widths = [_number(n) for spec in specs for n in spec if n.isdigit()]
    if any(n == "*" for spec in specs for n in spec):
        widths.extend(abs(v) for v in given if isinstance(v, int))
    widest = max(widths, default=0)
    biggest = max((_text_size(v) for v in given), default=0)
    _refuse_over(len(text) + len(specs) * (widest + biggest))


def _number(digits: str) -> int:
    """A width or precision written in a format (a long one is past every bound)."""
    return limits.MAX_VALUE_SIZE + 1 if len(digits) > 7 else int(digits)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left OPERATOR right`` when its result would pass a bound."""
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        _check_product(left, right)
    elif operator == "%" and isinstance(left, str | bytes):
        check_percent(left, right)


def _check_power(base: Any, exponent: Any) -> None:
    if not isinstance(exponent, int | float):
        return
    if abs(exponent) > limits.MAX_POWER_EXPONENT:
        raise LimitError(f"exponent larger than {limits.MAX_POWER_EXPONENT}")
    whole = isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1
    if whole and base.bit_length() * exponent > limits.MAX_INT_BITS:
        raise _int_too_large()


def _check_product(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > limits.MAX_INT_BITS:
            raise _int_too_large()
        return
    for seq, count in ((left, right), (right, left)):
        if isinstance(count, int) and count > 0 and isinstance(seq, str | bytes | list | tuple):
            _refuse_over(_text_size(seq) * count)


def _int_too_large() -> LimitError:
    return LimitError(f"integer larger than {limits.MAX_INT_BITS} bits")


# -- method calls ------------------------------------------------------------------------


def check_method_call(
    method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """Refuse a call of a built-in method whose result would pass a bound.

    Returns the positional arguments to call with (an iterable given to ``join`` is read
    into a list first, so that it can be measured).
    """
    if not isinstance(method, types.BuiltinMethodType):
        return args
    numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int)]
    if any(abs(n) > limits.MAX_VALUE_SIZE for n in numbers):
        raise too_large()  # a width, count or length: ljust, zfill, to_bytes, ...
    text = method.__self__
    if not isinstance(text, str | bytes | bytearray):
        return args
    name = method.__name__
    if name == "expandtabs":
        tab = "\t" if isinstance(text, str) else b"\t"
        tabsize = args[0] if args else kwargs.get("tabsize", 8)
        _refuse_over(len(text) + text.count(tab) * _width(tabsize))  # type: ignore[arg-type]
    elif name == "replace" and len(args) >= 2:
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        _refuse_over(replaced_size(text, args[0], args[1], count))
    elif name == "join" and args:
        items = list(args[0])
        _refuse_over(sum(_text_size(i) for i in items) + len(text) * len(items))
        return (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], dict):
        widest = max((_text_size(v) for v in args[0].values()), default=1)
        _refuse_over(len(text) * max(widest, 1))
    return args


class _BoundedFields(Formatter):
    """``str.format`` that refuses a field wider than the bound and stops at the bound."""

    produced = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        for digits in re.findall(r"\d+", format_spec):
            _refuse_over(_number(digits))
        text = super().format_field(value, format_spec)
        self.produced += len(text)
        _refuse_over(self.produced)
        return text


class BoundedFormatter(_BoundedFields, SandboxedFormatter):
    pass


class BoundedEscapeFormatter(_BoundedFields, SandboxedEscapeFormatter):
    pass


# -- filters -----------------------------------------------------------------------------


def _check_center(a: Arguments) -> None:
    _refuse_over(_width(a["width"]))


def _check_indent(a: Arguments) -> None:
    width = a["width"]
    unit = len(width) if isinstance(width, str) else _width(width)
    text = a["s"]
    lines = text.count("\n") + 1 if isinstance(text, str) else 1
    _refuse_over(_text_size(text) + lines * unit)


def _check_replace(a: Arguments) -> None:
    text, old, new = (v if isinstance(v, str) else str(v) for v in (a["s"], a["old"], a["new"]))
    _refuse_over(replaced_size(text, old, new, a["count"]))


def _check_join(a: Arguments) -> None:
    a["value"] = items = list(a["value"])
    _refuse_over(sum(_text_size(i) for i in items) + _text_size(a["d"]) * len(items))


def _check_format(a: Arguments) -> None:
    check_percent(a["value"], a["kwargs"] or a["args"])


def _check_wordwrap(a: Arguments) -> None:
    text, width, wrap = a["s"], a["width"], a["wrapstring"]
    if isinstance(text, str) and isinstance(width, int):
        lines = len(text) // max(width, 1) + text.count("\n") + 1
        _refuse_over(len(text) + lines * (_text_size(wrap) if wrap is not None else 1))


def _check_count(name: str) -> Callable[[Arguments], None]:
    def check(a: Arguments) -> None:
        _refuse_over(_width(a[name]))

    return check


def _check_sum(a: Arguments) -> None:
    """Summing lists copies the running total at every step: bound that work."""
    start = a["start"]
    if isinstance(start, int | float):
        return
    a["iterable"] = items = list(a["iterable"])
    running = work = _text_size(start)
    for item in items:
        running += _text_size(item)
        work += running
        if work > limits.MAX_ALLOCATED:
            raise too_large()


FILTER_CHECKS: dict[str, Callable[[Arguments], None]] = {
    "center": _check_center,
    "indent": _check_indent,
    "replace": _check_replace,
    "join": _check_join,
    "format": _check_format,
    "wordwrap": _check_wordwrap,
    "batch": _check_count("linecount"),
    "slice": _check_count("slices"),
    "sum": _check_sum,
}


def bind_arguments(
    signature: inspect.Signature, args: Iterable[Any], kwargs: dict[str, Any]
) -> inspect.BoundArguments | None:
    """The arguments of a filter call by name (``None`` if they do not fit: the filter says)."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    return bound
