"""Placeholders of the right type for values known only after apply.

A plan shows an ``llm_service``'s Kubernetes manifests before the model it serves exists. Its
``model`` is then unknown, so the manifests are rendered from a copy of the inputs in which
every unknown is replaced by a placeholder of the type the spec declares for it: a string
becomes ``known-after-apply`` (a valid Kubernetes name, so it fits anywhere a name goes), a
number 1, a flag false, a block its defaults with placeholders in its required fields. The
rendered objects stay valid against the Kubernetes schemas.
"""

from __future__ import annotations

import types
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from engine.expr.unknown import is_unknown

__all__ = ["PLACEHOLDER", "fill_unknowns", "placeholder_for"]

PLACEHOLDER = "known-after-apply"


def _arms(tp: Any) -> list[Any]:
    if get_origin(tp) in (Union, types.UnionType):
        return [a for a in get_args(tp) if a is not type(None)]
    return [tp]


def placeholder_for(tp: Any) -> Any:
    """A value of type ``tp`` standing for an unknown one."""
    tp = _arms(tp)[0]
    origin = get_origin(tp)
    if origin in (list, tuple, set, frozenset):
        return []
    if origin is dict:
        return {}
    if isinstance(tp, type):
        if issubclass(tp, BaseModel):
            return {
                name: placeholder_for(field.annotation)
                for name, field in tp.model_fields.items()
                if field.is_required()
            }
        if issubclass(tp, Enum):
            return next(iter(tp)).value
        if issubclass(tp, bool):
            return False
        if issubclass(tp, int):
            return 1
        if issubclass(tp, float):
            return 1.0
    return PLACEHOLDER


def _fill(tp: Any, value: Any, path: str, unknown: set[str]) -> Any:
    if is_unknown(value):
        unknown.add(path)
        return placeholder_for(tp)
    arms = _arms(tp)
    for arm in arms:
        origin = get_origin(arm)
        if isinstance(value, dict) and isinstance(arm, type) and issubclass(arm, BaseModel):
            return fill_model(arm, value, path, unknown)
        if isinstance(value, dict) and origin is dict:
            item_tp = get_args(arm)[1] if get_args(arm) else Any
            return {k: _fill(item_tp, v, f"{path}.{k}", unknown) for k, v in value.items()}
        if isinstance(value, list) and origin in (list, tuple):
            item_tp = get_args(arm)[0] if get_args(arm) else Any
            return [_fill(item_tp, v, f"{path}.{i}", unknown) for i, v in enumerate(value)]
    if isinstance(value, dict | list) and len(arms) > 1:
        # A union whose arms did not match the container (e.g. a whole-resource reference).
        return _fill(arms[-1], value, path, unknown)
    return value


def fill_model(
    model: type[BaseModel], data: dict[str, Any], prefix: str, unknown: set[str]
) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        field = model.model_fields.get(key)
        path = f"{prefix}.{key}" if prefix else key
        out[key] = _fill(field.annotation if field else Any, value, path, unknown)
    return out


def fill_unknowns(model: type[BaseModel], data: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """``data`` with unknowns replaced by placeholders, and the dotted paths that were unknown."""
    unknown: set[str] = set()
    return fill_model(model, data, "", unknown), unknown
