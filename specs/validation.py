"""Pydantic's validation errors, located in the inputs as the user wrote them.

A pydantic error's ``loc`` is a path through the *schema*: for a discriminated union of kinds
it starts with the tag of the kind that was tried (``("threshold", "window")``), and an
unknown or missing tag is reported at the root. :func:`schema_errors` turns each error into a
path through the *inputs* (``("window",)``, or ``("type",)`` for the tag), keeps pydantic's
error ``type`` so callers tell kinds of errors apart without reading messages, and words the
errors that only exist because of kinds (a field of another kind, a missing tag) for a user.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from specs.base import SpecType, discriminator, kinds_with_field, spec_kinds

__all__ = ["SchemaError", "schema_errors"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One validation error of a resource's inputs."""

    loc: Loc
    """Path of the offending value in the inputs (``()``: the inputs as a whole)."""
    type: str
    """Pydantic's error type: ``extra_forbidden``, ``missing``, ``union_tag_invalid``, ..."""
    message: str
    kind: str | None = None
    """For a union of kinds, the kind the inputs declared (``threshold``)."""


def _input_loc(loc: tuple[Any, ...]) -> Loc:
    # Function validators inside unions add steps such as "function-after[...]" that are no
    # part of the inputs.
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function")))


def schema_errors(spec: SpecType, exc: ValidationError) -> list[SchemaError]:
    """The errors of ``exc``, raised by validating inputs against ``spec``.

    Pydantic reports unknown fields after the others, in the order of the input mapping;
    they come here sorted by name, so a report does not depend on how a mapping was built.
    """
    tag = discriminator(spec)
    errors = []
    for err in exc.errors():
        loc = _input_loc(err["loc"])
        if tag is None:
            errors.append(SchemaError(loc, err["type"], err["msg"]))
        else:
            errors.append(_kind_error(spec, tag, err, loc))
    return sorted(errors, key=_unknown_fields_last)


def _unknown_fields_last(error: SchemaError) -> tuple[bool, tuple[str, ...]]:
    if error.type != "extra_forbidden":
        return False, ()
    return True, tuple(str(p) for p in error.loc)


def _kind_error(spec: SpecType, tag: str, err: Any, loc: Loc) -> SchemaError:
    kinds = spec_kinds(spec)
    allowed = ", ".join(kinds)
    if err["type"] == "union_tag_invalid":
        given = str(err["ctx"]["tag"])
        close = difflib.get_close_matches(given, list(kinds), n=1, cutoff=0.6)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        return SchemaError(
            (tag,), err["type"], f"`{tag}` must be one of {allowed}, got {given!r}.{hint}"
        )
    if err["type"] == "union_tag_not_found":
        return SchemaError((tag,), err["type"], f"`{tag}` is required: one of {allowed}")
    if not loc or loc[0] not in kinds:
        return SchemaError(loc, err["type"], err["msg"])  # e.g. the inputs are not a mapping
    kind, inside = str(loc[0]), loc[1:]
    model = kinds[kind]
    message = err["msg"]
    if len(inside) == 1 and err["type"] in ("extra_forbidden", "missing"):
        field = str(inside[0])
        owners = kinds_with_field(spec, field)
        words = {
            "field": field,
            "kind": kind,
            "plural": model.plural,
            "owners": " and ".join(owners),
        }
        if err["type"] == "missing":
            message = model.missing_field.format(**words)
        elif owners:
            message = model.misplaced_field.format(**words)
    return SchemaError(inside, err["type"], message, kind)
