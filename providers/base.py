"""The provider base class and the context the engine hands to every provider."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

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
from pulumi.output import Unknown
from pydantic import ValidationError

from engine.expr.unknown import UNKNOWN, contains_unknown
from specs.base import Outputs, SpecType, field_names, force_new_fields, validate_spec
from specs.validation import schema_errors

if TYPE_CHECKING:
    from engine.jobs.runner import JobResult

__all__ = [
    "CheckFailure",
    "CheckResult",
    "CreateResult",
    "DiffResult",
    "Provider",
    "ProviderContext",
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


@dataclass(frozen=True)
class ProviderContext:
    """What a provider may know about the run: plain data only, so it pickles for Pulumi."""

    project_dir: str
    state_dir: str
    address: str = ""
    workspace: str = "default"
    settings: Mapping[str, Any] = field(default_factory=dict)
    untrusted: bool = False

    @property
    def project(self) -> Path:
        return Path(self.project_dir)

    @property
    def artifacts_dir(self) -> Path:
        return Path(self.state_dir) / "artifacts"

    @property
    def runs_dir(self) -> Path:
        return Path(self.state_dir) / "runs"

    def family_settings(self, family: str) -> Mapping[str, Any]:
        value = self.settings.get(family, {})
        return value if isinstance(value, Mapping) else {}

    def run_job(
        self, target: str, kwargs: dict[str, Any], *, timeout_s: float | None = None
    ) -> JobResult:
        """Run ``target`` (``module:function``) for this resource in a child process."""
        from engine.jobs.runner import run_job

        return run_job(
            self.runs_dir, self.address, target, kwargs, timeout_s=timeout_s, cwd=self.project
        )

    def for_address(self, address: str) -> ProviderContext:
        # Called once per resource instance: a shallow copy is much cheaper than __init__.
        new = object.__new__(ProviderContext)
        new.__dict__.update(self.__dict__)
        new.__dict__["address"] = address
        return new


def denormalize_floats(value: Any) -> Any:
    """Undo Pulumi's wire format: integral floats become ints, ``Unknown()`` the sentinel."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the common case, first
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer() and not math.isinf(value):
        return int(value)
    if isinstance(value, dict):
        return {k: denormalize_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [denormalize_floats(v) for v in value]
    return value


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


class Provider(ResourceProvider):
    """Base of every opspec provider.

    Subclasses set ``type_name``, ``spec`` and (when they compute attributes) ``outputs``, and
    implement ``create``; ``check`` validates inputs against ``spec`` and ``diff`` compares the
    spec's fields, replacing on a change of a :class:`specs.base.ForceNew` field.
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

    # -- the Pulumi contract ----------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
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
        if contains_unknown(news):
            return CheckResult(news, [])
        inputs = spec.model_dump(mode="json", exclude_unset=True)
        return CheckResult(inputs, self.check_semantics(spec))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
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
        return ReadResult(id_, props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self.create(news).outs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@dataclass(frozen=True)
class CacheInfo:
    """What the plan shows of a job's cache: its key, whether it hits, and what changed."""

    key: str
    hit: bool
    changed_inputs: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "hit": self.hit, "changed_inputs": self.changed_inputs}


class CachedJob:
    """Opt-in mixin for providers whose output is a pure function of their inputs.

    ``cache_parts`` names each input of the cache key with a hash of its content (dataset
    sha256, params, estimator or code hash, seed, library versions). The planner shows which
    parts changed since the stored resource (its outputs keep ``cache_parts``), and whether the
    key hits the artifact cache. On a hit, ``create`` reuses the cached record instead of
    running, and the planner already knows the outputs (:meth:`cached_outputs`).
    It never imports user code or heavy libraries: it runs at plan time.
    """

    ctx: ProviderContext
    type_name: ClassVar[str]

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def cache_key(self, inputs: dict[str, Any]) -> str:
        from engine.hashing import sha256_json

        return sha256_json({"type": self.type_name, "parts": self.cache_parts(inputs)})

    def cached_outputs(self, key: str) -> dict[str, Any] | None:
        """The outputs recorded for ``key`` if every artifact they name still exists."""
        from engine.artifacts import ArtifactStore

        record = ArtifactStore(self.ctx.artifacts_dir).cache_get(key)
        return None if record is None else dict(record.get("outputs", {}))

    def store_outputs(self, key: str, outputs: dict[str, Any]) -> None:
        from engine.artifacts import ArtifactStore

        ArtifactStore(self.ctx.artifacts_dir).cache_put(key, {"outputs": outputs})
