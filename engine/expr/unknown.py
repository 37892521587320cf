"""The unknown value: an attribute that only exists after apply.

It is the same sentinel string Pulumi uses on the wire for unknowns
(``pulumi.runtime.rpc.UNKNOWN``), so values cross into Pulumi's dynamic providers unchanged.
"""

from __future__ import annotations

from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def contains_unknown(value: Any) -> bool:
    """Whether ``value`` is unknown or holds an unknown anywhere inside (at any depth: the walk
    keeps its own stack, so a deeply nested value cannot exhaust Python's)."""
    if isinstance(value, str):
        return value == UNKNOWN
    if not isinstance(value, dict | list):
        return False
    pending = [value]
    while pending:  # plain loops: this runs on every value of every plan
        container = pending.pop()
        for item in container.values() if isinstance(container, dict) else container:
            if isinstance(item, str):
                if item == UNKNOWN:
                    return True
            elif isinstance(item, dict | list):
                pending.append(item)
    return False


def unknown_mask(value: Any) -> Any:
    """Terraform's ``after_unknown``: ``True`` where unknown, mirrored through containers."""
    if isinstance(value, dict):
        inner = {k: unknown_mask(v) for k, v in value.items()}
        return {k: v for k, v in inner.items() if v is not False and v != {} and v != []}
    if isinstance(value, list):
        return [unknown_mask(v) for v in value]
    return is_unknown(value)
