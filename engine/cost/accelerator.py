"""Accelerator strings as dstack writes them: ``NAME[:MEMORY][:COUNT]``.

Examples: ``H100``, ``A100:80GB``, ``A100:80GB:2``, ``L4:4``, ``A100:40GB..80GB:1..8``. The
cost estimator only needs the GPU model, its memory (to tell an ``A100-80GB`` from an ``A100``)
and the count per node; ranges keep their lower bound, the smallest thing that satisfies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MEMORY_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(GB|GIB|G)?(?:\.\.(\d+(?:\.\d+)?)?\s*(GB|GIB|G)?)?$")
_COUNT_RE = re.compile(r"^(\d+)(?:\.\.(\d+)?)?$")


@dataclass(frozen=True, slots=True)
class Accelerator:
    name: str
    memory_gb: int | None
    count: int

    @property
    def catalog_keys(self) -> list[str]:
        """Catalog names to look up, most specific first (``A100-80GB`` before ``A100``)."""
        keys = [f"{self.name}-{self.memory_gb}GB"] if self.memory_gb else []
        return [*keys, self.name]


class AcceleratorError(ValueError):
    """An accelerator string that does not parse."""


def parse_accelerator(text: str) -> Accelerator:
    parts = [p.strip() for p in str(text).split(":")]
    if not parts or not parts[0] or not re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", parts[0]):
        raise AcceleratorError(f"invalid accelerator {text!r}: expected NAME[:MEMORY][:COUNT]")
    name = parts[0].upper()
    memory: int | None = None
    count = 1
    rest = parts[1:]
    if len(rest) > 2:
        raise AcceleratorError(f"invalid accelerator {text!r}: expected NAME[:MEMORY][:COUNT]")
    for i, part in enumerate(rest):
        upper = part.upper()
        count_match = _COUNT_RE.match(upper)
        memory_match = _MEMORY_RE.match(upper)
        is_last = i == len(rest) - 1
        if count_match and is_last and not upper.endswith(("GB", "G", "GIB")):
            count = int(count_match.group(1))
        elif memory_match and (memory_match.group(2) or not is_last):
            memory = int(float(memory_match.group(1)))
        else:
            raise AcceleratorError(
                f"invalid accelerator {text!r}: {part!r} is neither a memory size nor a count"
            )
    if count < 1:
        raise AcceleratorError(f"invalid accelerator {text!r}: the count must be at least 1")
    return Accelerator(name, memory, count)
