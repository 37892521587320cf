"""Base models and field markers shared by every kind of resource."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class ForceNew:
    """Field marker: a change of this field replaces the resource instead of updating it."""

    def __repr__(self) -> str:
        return "ForceNew"


class Sensitive:
    """Field marker: the value is a secret; masked in plans, encrypted in state."""

    def __repr__(self) -> str:
        return "Sensitive"


class DerivedFrom:
    """Output field marker: the attribute is computed from these inputs (a hash of a content,
    the output of a command), so it is as secret as they are: sensitive when any of them is."""

    def __init__(self, *inputs: str) -> None:
        self.inputs = inputs

    def __repr__(self) -> str:
        return f"DerivedFrom{self.inputs!r}"


class ResourceSpec(BaseModel):
    """Inputs of a resource, as a user writes them (strict: unknown fields are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Subclasses set this to the names of fields whose values are relative paths that must
    # stay inside the project directory (checked by `validate`/`plan`).
    project_paths: ClassVar[tuple[str, ...]] = ()


class Outputs(BaseModel):
    """Attributes a resource has after apply, besides its inputs (lenient for stored data)."""

    model_config = ConfigDict(extra="allow")

    # The inputs the resource's id is made of (a file's id is its path), if any: the id is
    # sensitive when one of them is.
    id_derived_from: ClassVar[tuple[str, ...]] = ()


class LenientModel(BaseModel):
    """Read path for stored data: fields added by newer writers are ignored, not errors."""

    model_config = ConfigDict(extra="ignore")


def _has_marker(model: type[BaseModel], marker: type[Any]) -> frozenset[str]:
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if any(isinstance(m, marker) or m is marker for m in info.metadata)
    )


@cache
def force_new_fields(model: type[BaseModel]) -> frozenset[str]:
    """Names of the fields of ``model`` whose change forces a replacement."""
    return _has_marker(model, ForceNew)


@cache
def sensitive_fields(model: type[BaseModel]) -> frozenset[str]:
    """Names of the fields of ``model`` that hold secrets."""
    return _has_marker(model, Sensitive)


@cache
def derived_attributes(outputs: type[Outputs]) -> tuple[tuple[str, frozenset[str]], ...]:
    """``(attribute, the inputs it is derived from)`` for each :class:`DerivedFrom` output of
    ``outputs``, and for ``id`` when the type says what its id is made of."""
    out = [
        (name, frozenset(i for m in info.metadata if isinstance(m, DerivedFrom) for i in m.inputs))
        for name, info in outputs.model_fields.items()
        if any(isinstance(m, DerivedFrom) for m in info.metadata)
    ]
    if outputs.id_derived_from:
        out.append(("id", frozenset(outputs.id_derived_from)))
    return tuple(out)


@cache
def field_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` in declaration order (pydantic's ``model_fields`` is slow to
    read on every resource instance)."""
    return tuple(model.model_fields)


@cache
def attribute_names(spec: type[BaseModel], outputs: type[BaseModel]) -> frozenset[str]:
    """Every attribute an expression may read from a resource of this type."""
    return frozenset(spec.model_fields) | frozenset(outputs.model_fields) | {"id"}
