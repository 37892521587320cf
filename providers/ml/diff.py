"""Diffing an ML resource's fields as they are stored against the checked inputs.

An omitted optional field equals its default, and ints equal integral floats (Pulumi's wire
format), so writing ``seed: 0`` where it was left out changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from engine.providers import DiffResult, denormalize_floats

__all__ = ["diff_fields", "spec_defaults"]


def spec_defaults(spec: type[BaseModel]) -> dict[str, Any]:
    """Default values of a spec's optional fields, as they compare with stored JSON."""
    out: dict[str, Any] = {}
    for name, info in spec.model_fields.items():
        if not info.is_required():
            value = info.get_default(call_default_factory=True)
            out[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return out


def diff_fields(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    fields: Iterable[str],
    *,
    defaults: Mapping[str, Any] | None = None,
    force_new: Iterable[str] = (),
) -> DiffResult:
    """Compare ``fields`` of the stored outputs and the checked inputs; a change of one of
    ``force_new`` replaces the resource."""
    names = list(fields)
    fill = dict(defaults or {})

    def value(side: Mapping[str, Any], key: str) -> Any:
        return denormalize_floats(side[key] if key in side else fill.get(key))

    changed = [k for k in names if value(olds, k) != value(news, k)]
    replace_set = set(force_new)
    return DiffResult(
        changes=bool(changed),
        replaces=[k for k in changed if k in replace_set],
        stables=[k for k in names if k not in changed],
        delete_before_replace=True,
    )
