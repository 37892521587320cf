"""What the four LLM providers share: plan-time checks that tolerate unknowns, and artifact jobs.

The base :class:`engine.providers.Provider` skips semantic checks while any input is unknown. Here
most inputs are artifact URIs of upstream steps, unknown on a first plan, and the rest (device,
method, sequence lengths) can still be judged; so :meth:`LlmProvider.check` runs
:meth:`check_semantics` whenever the schema validates, and each check skips unknown values.
Attributes known at plan time (``plan_computed``, from ``plan_attributes``) are compared by
``diff`` like inputs, and replace the resource when they change.

:class:`ArtifactJob` runs a provider's job in a child process, caches its outputs under the key
of its inputs, and replaces the resource when its artifact has left the store.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from engine.artifacts import ArtifactStore, is_artifact_uri
from engine.expr.unknown import contains_unknown, is_unknown
from engine.providers import (
    CachedJob,
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    Provider,
    ReadResult,
    denormalize_floats,
)
from engine.providers.paths import SpecPathError
from providers.llm.device import cuda_visible
from providers.llm.errors import SourceError
from providers.llm.sources import context_of_artifact, resolve
from specs.base import validate_spec
from specs.llm import Device

__all__ = ["ArtifactJob", "LlmProvider"]


class LlmProvider(Provider):
    """Base of the family's providers."""

    # Attributes of `plan_attributes` (known at plan time) that `diff` compares like inputs.
    plan_computed: ClassVar[tuple[str, ...]] = ()

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Overridden because the base check judges no semantics while an input is unknown,
        and here the known inputs beside an upstream's unknown artifact URI (device, method,
        sequence lengths) are still worth a diagnostic before anything runs."""
        result = super().check(olds, news)
        if result.failures or not contains_unknown(result.inputs):
            return result
        try:
            spec = validate_spec(self.spec, denormalize_floats(result.inputs))
        except ValidationError:
            return result
        return CheckResult(result.inputs, self.check_semantics(spec))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        base = super().diff(id_, olds, news)
        computed = [k for k in self.plan_computed if k in news and olds.get(k) != news[k]]
        if not computed:
            return base
        return DiffResult(
            changes=True,
            replaces=[*(base.replaces or []), *computed],
            stables=[k for k in base.stables or [] if k not in computed],
            delete_before_replace=True,
        )

    # -- checks shared by the family ----------------------------------------------------------

    def device_failures(self, device: Device, prop: str = "device") -> list[CheckFailure]:
        if device is Device.CUDA and not cuda_visible():
            return [CheckFailure(prop, "device cuda was requested but this host shows no GPU")]
        return []

    def source_failures(self, values: list[str], prop: str) -> list[CheckFailure]:
        """One failure per text/model source that cannot be found or is not allowed."""
        failures = []
        for i, value in enumerate(values):
            if is_unknown(value) or is_artifact_uri(value):
                continue
            try:
                # Every file of a folder too: a link out of the project is refused here, in
                # check, before anything hashes or reads it.
                resolve(value, self.ctx.project, self.ctx.artifacts_dir).files()
            except (SourceError, SpecPathError) as exc:
                failures.append(CheckFailure(f"{prop}.{i}", str(exc)))
        return failures

    def model_uri_failures(self, value: str, prop: str) -> list[CheckFailure]:
        if is_unknown(value) or is_artifact_uri(value):
            return []
        return [
            CheckFailure(
                prop,
                f"{value!r} is not a model artifact URI; reference one, e.g. "
                "${llm_model.NAME.uri} or ${fine_tune.NAME.uri}",
            )
        ]

    def context_failures(self, uri: str, seq_len: int, prop: str) -> list[CheckFailure]:
        """A failure when the stored model at ``uri`` cannot take ``seq_len`` tokens."""
        if not is_artifact_uri(uri):
            return []
        context = context_of_artifact(uri, self.ctx.artifacts_dir)
        if context is not None and seq_len > context:
            return [CheckFailure(prop, f"{seq_len} tokens exceed the model's context of {context}")]
        return []


class ArtifactJob(CachedJob, LlmProvider):
    """A provider whose output is an artifact computed by a cached child-process job."""

    job_target: ClassVar[str]
    # Modules whose source decides the job's result (hashed into the cache key as "code").
    code_modules: ClassVar[tuple[str, ...]] = ()

    def code_hash(self) -> str:
        """Hash of the job's own source, so an edited job does not reuse stale results."""
        digest = hashlib.sha256()
        for module in (self.job_target.partition(":")[0], *self.code_modules):
            spec = importlib.util.find_spec(module)
            if spec is None or spec.origin is None:
                raise RuntimeError(f"cannot find the source of {module}")
            digest.update(Path(spec.origin).read_bytes())
        return digest.hexdigest()

    def job_kwargs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = denormalize_floats(dict(props))
        parts = self.cache_parts(inputs)
        key = self.cache_key(inputs)
        outs = self.cached_outputs(key)
        if outs is None:
            outs = dict(self.ctx.run_job(self.job_target, self.job_kwargs(inputs)).value)
            self.store_outputs(key, outs)
        outs = {**inputs, **outs, "cache_key": key, "cache_parts": parts}
        return CreateResult(id_=str(outs["uri"]).rsplit("/", 1)[-1][:16], outs=outs)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        if self._artifact_present(olds):
            return result
        return DiffResult(
            changes=True,
            replaces=[*(result.replaces or []), "uri"],
            stables=[k for k in result.stables or [] if k != "uri"],
            delete_before_replace=True,
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if self._artifact_present(props):
            return ReadResult(id_, props)
        return ReadResult(id_, {**props, "uri": ""})

    def _artifact_present(self, props: dict[str, Any]) -> bool:
        uri = props.get("uri")
        if not is_artifact_uri(uri):
            return uri is None  # never created: nothing to miss
        return ArtifactStore(Path(self.ctx.artifacts_dir)).exists(str(uri))
