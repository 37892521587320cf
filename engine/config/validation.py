"""Turning pydantic validation errors into diagnostics at YAML positions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.config.yamlpos import key_position, position
from engine.diagnostics import Diagnostic, SourcePos, error
from specs.validation import schema_errors


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f' Did you mean "{match[0]}"?' if match else ""


def fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Field names of the (nested) model that ``loc`` points into, for suggestions."""
    current: Any = model
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if fields is None or not isinstance(part, str) or part not in fields:
            return []
        annotation = fields[part].annotation
        current = annotation if isinstance(annotation, type) else None
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def pos_at(file: str, root: Any, path: Sequence[str | int], *, key: bool = False) -> SourcePos:
    p = key_position(root, path) if key else position(root, path)
    line, col = p if p else (1, 1)
    return SourcePos(file, line, col)


def validation_diagnostics(
    exc: ValidationError,
    model: type[BaseModel],
    *,
    file: str,
    root: Any,
    base: Sequence[str | int] = (),
    what: str,
    address: str | None = None,
) -> list[Diagnostic]:
    """One diagnostic per pydantic error, positioned on the offending YAML node."""
    out: list[Diagnostic] = []
    for err in schema_errors(model, exc):
        loc = err.loc
        path = (*base, *loc)
        name = ".".join(str(p) for p in loc) or what
        if err.type == "extra_forbidden":
            field = str(loc[-1]) if loc else ""
            hint = did_you_mean(field, fields_at(model, loc[:-1]))
            out.append(
                error(
                    f"unknown field `{name}` in {what}",
                    f"{what} has no field `{field}`.{hint}",
                    pos_at(file, root, path, key=True),
                    address,
                )
            )
        elif err.type == "missing":
            out.append(
                error(
                    f"missing required field `{name}` in {what}",
                    "",
                    pos_at(file, root, base),
                    address,
                )
            )
        else:
            out.append(
                error(
                    f"invalid value for `{name}` in {what}",
                    err.message,
                    pos_at(file, root, path),
                    address,
                )
            )
    return out
