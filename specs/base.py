"""Base models and field markers shared by every kind of resource.

A resource type's spec (its :data:`SpecType`) is either one :class:`ResourceSpec` model or,
when its fields depend on a tag such as ``type`` or ``kind``, a pydantic discriminated union
of :class:`KindSpec` models::

    MonitorSpec = Annotated[ThresholdMonitorSpec | DriftMonitorSpec, Field(discriminator="type")]

The helpers below (:func:`validate_spec`, :func:`field_names`, :func:`force_new_fields`, ...)
take either form, so the engine never needs to know which one a type uses.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.fields import FieldInfo


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


class KindSpec(ResourceSpec):
    """One kind of a resource type whose kinds are told apart by a tag field.

    Subclasses declare the tag as a ``Literal`` field and say how the kinds are called, so a
    field of another kind, or a missing one, reads as "`limit` does not apply to threshold
    monitors" rather than as a bare schema error.
    """

    plural: ClassVar[str]
    """What the resources are called in messages, e.g. ``"monitors"``."""
    misplaced_field: ClassVar[str] = "`{field}` does not apply to {kind} {plural}"
    """Message for a field that only other kinds (``{owners}``) have."""
    missing_field: ClassVar[str] = "{kind} {plural} need `{field}`"
    """Message for a required field of this kind that is missing."""


SpecType = object
"""A resource type's spec: a :class:`ResourceSpec` class, or an ``Annotated`` discriminated
union of :class:`KindSpec` classes (pydantic's own form, kept as it is)."""


class Outputs(BaseModel):
    """Attributes a resource has after apply, besides its inputs (lenient for stored data)."""

    model_config = ConfigDict(extra="allow")

    # The inputs the resource's id is made of (a file's id is its path), if any: the id is
    # sensitive when one of them is.
    id_derived_from: ClassVar[tuple[str, ...]] = ()


class CachedJobOutputs(Outputs):
    """Outputs of a resource whose work is a cached job (:class:`engine.providers.CachedJob`):
    the key its result is stored under, and the hashed inputs the key is made of, which the
    next plan compares to name the inputs that changed."""

    cache_key: Annotated[str, Field(description="Hash of everything the result depends on.")] = ""
    cache_parts: Annotated[
        dict[str, str], Field(description="The inputs of the cache key, each hashed.")
    ] = {}


class LenientModel(BaseModel):
    """Read path for stored data: fields added by newer writers are ignored, not errors."""

    model_config = ConfigDict(extra="ignore")


@cache
def discriminator(spec: SpecType) -> str | None:
    """The tag field of a union of kinds (``type``, ``kind``), None for a single model."""
    if get_origin(spec) is not Annotated:
        return None
    info = next(m for m in get_args(spec)[1:] if isinstance(m, FieldInfo))
    tag = info.discriminator
    assert isinstance(tag, str), "kinds are told apart by the name of one field"
    return tag


@cache
def spec_kinds(spec: SpecType) -> dict[str, type[KindSpec]]:
    """The models of a union of kinds by tag value (``{"threshold": ThresholdMonitorSpec}``);
    empty for a single model."""
    tag = discriminator(spec)
    if tag is None:
        return {}
    union = get_args(spec)[0]
    assert get_origin(union) in (Union, types.UnionType), "a discriminated union of models"
    kinds: dict[str, type[KindSpec]] = {}
    for model in get_args(union):
        literal = model.model_fields[tag].annotation
        assert get_origin(literal) is Literal, f"{model.__name__}.{tag} must be a Literal"
        for value in get_args(literal):
            kinds[str(getattr(value, "value", value))] = model
    return kinds


def spec_models(spec: SpecType) -> tuple[type[BaseModel], ...]:
    """Every model a spec may validate as: its kinds, or the one model."""
    kinds = spec_kinds(spec)
    if kinds:
        return tuple(dict.fromkeys(kinds.values()))
    assert isinstance(spec, type) and issubclass(spec, BaseModel), spec
    return (spec,)


def kinds_with_field(spec: SpecType, field: str) -> list[str]:
    """The kinds of a union that have ``field`` (empty for a single model)."""
    return [kind for kind, model in spec_kinds(spec).items() if field in model.model_fields]


def kind_of(spec: SpecType, data: dict[str, Any]) -> type[BaseModel] | None:
    """The model ``data`` validates as, or None when its tag is missing or names no kind."""
    tag = discriminator(spec)
    if tag is None:
        return spec_models(spec)[0]
    return spec_kinds(spec).get(str(data.get(tag)))


@cache
def _adapter(spec: Any) -> TypeAdapter[Any]:
    return TypeAdapter(spec)


def validate_spec(spec: SpecType, data: Any) -> Any:
    """``data`` validated by ``spec``: an instance of the model (or kind) it matches.

    Raises pydantic's ``ValidationError``; :func:`specs.validation.schema_errors` locates
    its errors in ``data``.
    """
    if isinstance(spec, type) and issubclass(spec, BaseModel):
        return spec.model_validate(data)
    return _adapter(spec).validate_python(data)


def _has_marker(spec: SpecType, marker: type[Any]) -> frozenset[str]:
    return frozenset(
        name
        for model in spec_models(spec)
        for name, info in model.model_fields.items()
        if any(isinstance(m, marker) or m is marker for m in info.metadata)
    )


@cache
def force_new_fields(spec: SpecType) -> frozenset[str]:
    """Names of the fields of ``spec`` whose change forces a replacement."""
    return _has_marker(spec, ForceNew)


@cache
def sensitive_fields(spec: SpecType) -> frozenset[str]:
    """Names of the fields of ``spec`` that hold secrets."""
    return _has_marker(spec, Sensitive)


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
def field_names(spec: SpecType) -> tuple[str, ...]:
    """The fields of ``spec`` (of all its kinds) in declaration order (pydantic's
    ``model_fields`` is slow to read on every resource instance)."""
    if isinstance(spec, type) and issubclass(spec, BaseModel):
        return tuple(spec.model_fields)
    return tuple(dict.fromkeys(name for m in spec_models(spec) for name in m.model_fields))


@cache
def attribute_names(spec: SpecType, outputs: type[BaseModel]) -> frozenset[str]:
    """Every attribute an expression may read from a resource of this type."""
    return frozenset(field_names(spec)) | frozenset(outputs.model_fields) | {"id"}
