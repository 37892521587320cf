"""The contract every provider implements: Pulumi's dynamic-provider interface, with opspec's
defaults for checking and diffing against a pydantic spec model.

A provider class subclasses :class:`Provider` (itself a ``pulumi.dynamic.ResourceProvider``) and
returns Pulumi's result types, so the same class runs under opspec's local executor and under the
Pulumi engine. What every implementation promises:

- ``check(olds, news) -> CheckResult``: validate and normalise inputs. It runs at plan time, so it
  has no side effects and runs no user code.
- ``diff(id, olds, news) -> DiffResult``: ``olds`` are the stored outputs (inputs included).
- ``create(props) -> CreateResult``: all-or-nothing. On failure nothing is left behind, so a
  retry starts from scratch.
- ``read(id, props) -> ReadResult``: the live state. It never mutates anything (it runs at plan
  time, for refresh); drift shows as changed outputs.
- ``update(id, olds, news) -> UpdateResult``.
- ``delete(id, props)``: idempotent, so deleting what is already gone succeeds. A delete that
  raises means the resource still exists.

Providers hold no live clients between calls (Pulumi may pickle them) and tolerate integral
floats: Pulumi's wire format turns ints into floats
(:func:`~engine.providers.wire.denormalize_floats`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pydantic import ValidationError

from engine.artifacts import ArtifactURIError, artifact_digest, is_artifact_uri
from engine.errors import PlanAttributeError
from engine.expr.unknown import contains_unknown
from engine.providers.context import ProviderContext
from engine.providers.wire import denormalize_floats
from specs.base import Outputs, SpecType, field_names, force_new_fields, validate_spec
from specs.validation import schema_errors

__all__ = [
    "CheckFailure",
    "CheckResult",
    "CreateResult",
    "DiffResult",
    "PlanAttributeError",
    "Provider",
    "ReadResult",
    "SchemaFailure",
    "UpdateResult",
]


class SchemaFailure(CheckFailure):
    """A check failure found by the spec's schema, with pydantic's error type
    (``extra_forbidden``, ``missing``, ...) and, for a union of kinds, the kind the inputs
    declared, so the engine words and places it without reading the message."""

    def __init__(self, property_: str, reason: str, error_type: str, kind: str | None) -> None:
        super().__init__(property_, reason)
        self.error_type = error_type
        self.kind = kind


def _loc_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _value_at(data: Any, loc: tuple[int | str, ...]) -> Any:
    cur = data
    for part in loc:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and part < len(cur):
            cur = cur[part]
        else:
            return None
    return cur


def _malformed_artifact_uris(value: Any, loc: str = "") -> list[CheckFailure]:
    """A failure per string that claims to be an artifact URI without naming a stored object's
    digest, wherever it sits in the inputs: such a URI must never reach the store as a path."""
    if isinstance(value, str):
        if is_artifact_uri(value):
            try:
                artifact_digest(value)
            except ArtifactURIError as exc:
                return [CheckFailure(loc, str(exc))]
        return []
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return []
    return [
        failure
        for key, item in items
        for failure in _malformed_artifact_uris(item, f"{loc}.{key}" if loc else str(key))
    ]


class Provider(ResourceProvider):
    """Base of every opspec provider.

    Subclasses set ``type_name``, ``spec`` and (when they compute attributes) ``outputs``, and
    implement ``create``; ``check`` validates inputs against ``spec`` and ``diff`` compares the
    spec's fields, replacing on a change of a :class:`specs.base.ForceNew` field. The defaults of
    ``read`` (the stored props are the live state), ``update`` (create again) and ``delete``
    (nothing to remove) keep the contract for resources that exist only in state.
    """

    type_name: ClassVar[str]
    spec: ClassVar[SpecType]
    outputs: ClassVar[type[Outputs]] = Outputs
    version: ClassVar[str] = "0.1.0"

    def __init__(self, ctx: ProviderContext) -> None:
        self.ctx = ctx

    # -- helpers for subclasses -------------------------------------------------------------

    def model(self, props: Mapping[str, Any]) -> Any:
        """The validated spec model of ``props`` (outputs and unknown keys dropped)."""
        fields = field_names(self.spec)
        return validate_spec(
            self.spec, {k: denormalize_floats(v) for k, v in props.items() if k in fields}
        )

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        """Checks beyond the schema, on fully known inputs; no side effects, no user code."""
        return []

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """Attributes known at plan time from valid, fully known inputs (content hashes,
        artifact URIs, resolved defaults), merged into the checked inputs so that
        ``${TYPE.NAME.ATTR}`` need not wait for apply.

        Raise :class:`PlanAttributeError` for a fault that only computing them shows (a file
        that is not there, a column the data lacks). Runs at plan time: no side effects, no
        user code. Called only when the schema and :meth:`check_semantics` found nothing.
        """
        return {}

    def partial_attributes(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The plan-time attributes of inputs that hold values known only after apply:
        usually unknown themselves (the default), sometimes placeholders a view can show."""
        return {}

    # -- the Pulumi contract ----------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate ``news`` against the spec model; failures name the field at fault."""
        # Under Pulumi's dynamic-provider server, news also carry the serialized provider.
        news = {k: denormalize_floats(v) for k, v in news.items() if k != PROVIDER_KEY}
        try:
            spec = validate_spec(self.spec, news)
        except ValidationError as exc:
            failures: list[CheckFailure] = [
                SchemaFailure(_loc_path(e.loc), e.message, e.type, e.kind)
                for e in schema_errors(self.spec, exc)
                # A value known only after apply cannot be judged yet.
                if not contains_unknown(_value_at(news, e.loc))
            ]
            return CheckResult(news, failures)
        malformed = _malformed_artifact_uris(news)
        if malformed:
            return CheckResult(news, malformed)
        if contains_unknown(news):
            return CheckResult({**news, **self.partial_attributes(news)}, [])
        inputs = spec.model_dump(mode="json", exclude_unset=True)
        failures = self.check_semantics(spec)
        if not failures:
            try:
                inputs.update(self.plan_attributes(spec, inputs))
            except PlanAttributeError as exc:
                failures = [CheckFailure(exc.field, exc.reason)]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Which spec fields changed, and which of those force a replacement."""
        fields = field_names(self.spec)
        changed = [
            k
            for k in fields
            # Equal as given means equal once normalized: compare the wire forms only if not.
            if (old := olds.get(k)) != (new := news.get(k))
            and denormalize_floats(old) != denormalize_floats(new)
        ]
        force_new = force_new_fields(self.spec)
        replaces = [k for k in changed if k in force_new]
        stables = [k for k in fields if k not in changed]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=stables,
            delete_before_replace=True,
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live state of the resource; never mutates anything."""
        return ReadResult(id_, props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self.create(news).outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Remove the resource; succeeds when it is already gone."""
        return None
