"""Accelerators as dstack writes them: ``NAME[:MEMORY][:COUNT]``, the GPUs of one node.

Examples: ``H100``, ``A100:80GB``, ``A100:80GB:2``, ``L4:4``, ``A100:40GB..80GB:1..8``. MEMORY is
a size per GPU (``80GB``, ``80G``, ``1TB``; a bare number before the count is GB too), COUNT
the GPUs per node; either may be a range ``LOW..HIGH`` (HIGH may be left open). Names are
upper-cased (``h100`` is ``H100``). The syntax is checked here, once, for every user: the
``gpu_pool`` spec (:data:`AcceleratorText`), the GPU infrastructure provider (which maps names
to node labels) and the cost estimator (which looks names up in its price catalog).

>>> parse_accelerator("A100:80GB:2")
Accelerator(name='A100', memory_gb=80, count=2, max_memory_gb=80, max_count=2)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["SYNTAX", "Accelerator", "AcceleratorError", "AcceleratorText", "parse_accelerator"]

SYNTAX = 'NAME[:MEMORY][:COUNT], e.g. "A100:80GB:2"'

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>GIB|GB|G|TB|T)")


class AcceleratorError(ValueError):
    """An accelerator string that does not parse, or names no GPU its user knows."""


@dataclass(frozen=True, slots=True)
class Accelerator:
    """The GPUs of one node. A range keeps both bounds (``max_*`` is None when it is open);
    a single value has equal bounds."""

    name: str
    memory_gb: int | None
    count: int
    max_memory_gb: int | None
    max_count: int | None

    @property
    def is_range(self) -> bool:
        return self.max_memory_gb != self.memory_gb or self.max_count != self.count

    @property
    def catalog_keys(self) -> list[str]:
        """Names to look this accelerator up by, most specific first (``A100-80GB``, ``A100``)."""
        keys = [f"{self.name}-{self.memory_gb}GB"] if self.memory_gb else []
        return [*keys, self.name]


Bounds = tuple[int, int | None]


def _bounds(
    token: str, one: Callable[[str], int | None], upper: Callable[[str], int | None]
) -> Bounds | None:
    """(low, high) of ``VALUE`` or ``LOW..HIGH`` (``LOW..`` leaves high open), or None;
    ``one`` parses a value or a low bound, ``upper`` a high bound."""
    low_text, dots, high_text = token.partition("..")
    low = one(low_text)
    if low is None:
        return None
    if not dots:
        return low, low
    if not high_text:
        return low, None
    high = upper(high_text)
    return None if high is None or high < low else (low, high)


def _size_gb(token: str) -> int | None:
    match = _SIZE.fullmatch(token)
    if match is None:
        return None
    size = float(match["number"])
    return int(size * 1000 if match["unit"].startswith("T") else size)


def _bare_gb(token: str) -> int | None:
    return int(float(token)) if _NUMBER.fullmatch(token) else _size_gb(token)


def _count(token: str) -> int | None:
    return int(token) if token.isdigit() else None


def parse_accelerator(text: str) -> Accelerator:
    """Parse ``NAME[:MEMORY][:COUNT]``; an :class:`AcceleratorError` says what is wrong."""
    parts = [p.strip() for p in str(text).strip().split(":")]
    if not parts[0] or len(parts) > 3:
        raise AcceleratorError(f"{text!r} is not an accelerator; write {SYNTAX}")
    name, rest = parts[0], parts[1:]
    if not _NAME.fullmatch(name):
        raise AcceleratorError(f"{name!r} is not a GPU name; write {SYNTAX}")
    memory: Bounds | None = None
    count: Bounds | None = None
    for index, token in enumerate(rest):
        upper = token.upper()
        last = index == len(rest) - 1
        # Memory comes first; a bare number is a count when last, a size (GB) before a count.
        size = _bounds(upper, _size_gb if last else _bare_gb, _bare_gb) if memory is None else None
        if size is not None:
            memory = size
        elif last and (counted := _bounds(upper, _count, _count)) is not None:
            count = counted
        else:
            raise AcceleratorError(
                f"{token!r} in {text!r} is neither a memory size (80GB) nor a GPU count; "
                f"write {SYNTAX}"
            )
    low_count, high_count = count or (1, 1)
    if low_count < 1:
        raise AcceleratorError(f"the GPU count in {text!r} must be at least 1")
    low_memory, high_memory = memory or (None, None)
    return Accelerator(name.upper(), low_memory, low_count, high_memory, high_count)


def _check_accelerator(text: str) -> str:
    parse_accelerator(text)
    return text


AcceleratorText = Annotated[str, AfterValidator(_check_accelerator)]
"""An accelerator as written in a spec (``"A100:80GB:2"``), checked against the syntax."""
