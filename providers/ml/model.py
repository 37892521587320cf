"""The ``model`` provider: an entry of MLflow's model registry, with versions, aliases and lineage.

A new ``artifact`` is a new version; ``aliases`` (e.g. ``champion``) move to it; the version
carries the lineage of the artifact (dataset sha256, params, estimator or code hash, metrics and
the training run that produced it), shown by ``opspec show model.NAME`` through
:meth:`ModelProvider.describe`. MLflow is imported only by the registration jobs (child
processes, apply time); ``read`` checks the registry's SQLite tables directly, so a refresh
costs milliseconds. ``delete`` removes the versions this resource registered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from engine.artifacts import ArtifactStore, is_artifact_uri
from engine.expr.unknown import is_unknown
from engine.providers import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    Provider,
    ReadResult,
    UpdateResult,
)
from providers.ml.diff import diff_fields, spec_defaults
from providers.ml.errors import MissingArtifactError
from providers.ml.lineage import model_lineage
from providers.ml.registry_db import (
    RegistrySettings,
    read_version,
    registry_settings,
    sqlite_path,
    versions_of_address,
)
from specs.ml import ModelOutputs, ModelSpec

__all__ = ["ModelProvider"]

_REGISTER = "providers.ml.jobs.register:register_model"
_UNREGISTER = "providers.ml.jobs.register:unregister_model"
_RESERVED_TAG = "opspec."


class ModelProvider(Provider):
    """Registers ``artifact`` as a version of ``name``; its id is the registered name."""

    type_name: ClassVar[str] = "model"
    spec: ClassVar[type[ModelSpec]] = ModelSpec
    outputs: ClassVar[type[ModelOutputs]] = ModelOutputs

    @property
    def registry(self) -> RegistrySettings:
        return registry_settings(
            self.ctx.project_dir, self.ctx.state_dir, self.ctx.family_settings("mlflow")
        )

    # -- plan -------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Overridden because these checks of the spec alone must also judge inputs that are
        partly unknown (``artifact`` and ``metrics`` are, on every first plan), which
        ``check_semantics`` never sees."""
        result = super().check(olds, news)
        if result.failures:
            return result
        return CheckResult(result.inputs, _check_registration(result.inputs))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = diff_fields(
            olds,
            news,
            list(self.spec.model_fields),
            defaults=spec_defaults(self.spec),
            force_new=["name"],
        )
        if olds.get("version") is None:
            # The version is gone from the registry (see read): register it again.
            return DiffResult(True, result.replaces, [], True)
        return result

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The version and its aliases/tags as the registry has them (SQLite, no MLflow)."""
        db = sqlite_path(self.registry.tracking_uri)
        version = props.get("version")
        if db is None or version is None or not self._may_read(db):
            return ReadResult(id_, props)
        found = read_version(db, str(props.get("name")), int(version))
        outs = dict(props)
        if found is None or not found.committed:
            outs["version"] = None
            return ReadResult(id_, outs)
        # Only what the resource declared is compared, so an absent field stays absent.
        if "aliases" in props:
            outs["aliases"] = [a for a in props.get("aliases") or [] if a in found.aliases]
        if "tags" in props:
            outs["tags"] = {k: found.tags[k] for k in props.get("tags") or {} if k in found.tags}
        return ReadResult(id_, outs)

    def _may_read(self, db: Path) -> bool:
        """An untrusted plan reads nothing outside the project (a registry elsewhere)."""
        return not self.ctx.untrusted or db.resolve().is_relative_to(self.ctx.project.resolve())

    # -- apply ------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props["name"]), self._register(props, remove_aliases=[]))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        kept = set(news.get("aliases") or [])
        dropped = [a for a in olds.get("aliases") or [] if a not in kept]
        return UpdateResult(outs=self._register(news, remove_aliases=dropped))

    def _register(self, props: dict[str, Any], remove_aliases: list[str]) -> dict[str, Any]:
        spec: ModelSpec = self.model(props)
        store = ArtifactStore(self.ctx.artifacts_dir)
        if not store.exists(spec.artifact):
            raise MissingArtifactError(f"model artifact {spec.artifact} is not in the store")
        lineage = model_lineage(self.ctx.artifacts_dir, spec.artifact)
        lineage["metrics"] = dict(spec.metrics)
        registry = self.registry
        job = self.ctx.run_job(
            _REGISTER,
            {
                "tracking_uri": registry.tracking_uri,
                "experiment": registry.experiment,
                "artifact_location": registry.artifact_location,
                "name": spec.name,
                "artifact_uri": spec.artifact,
                "artifact_dir": str(store.path(spec.artifact)),
                "aliases": list(spec.aliases),
                "remove_aliases": remove_aliases,
                "version_tags": self._version_tags(spec, lineage),
                "metrics": dict(spec.metrics),
                "description": spec.description,
                "lineage": lineage,
                "address": self.ctx.address,
                "workspace": self.ctx.workspace,
            },
        )
        version = int(job.value["version"])
        return {
            **props,
            "version": version,
            "model_uri": f"models:/{spec.name}/{version}",
            "run_id": job.value["run_id"],
            "tracking_uri": registry.tracking_uri,
            "lineage": lineage,
        }

    def _version_tags(self, spec: ModelSpec, lineage: dict[str, Any]) -> dict[str, str]:
        tags = dict(spec.tags)
        tags.update(
            {
                "opspec.address": self.ctx.address,
                "opspec.workspace": self.ctx.workspace,
                "opspec.artifact": spec.artifact,
            }
        )
        for key in ("dataset_sha256", "code_hash", "estimator", "function"):
            if lineage.get(key):
                tags[f"opspec.{key}"] = str(lineage[key])
        run = lineage.get("parent_run") or {}
        if run:
            tags["opspec.parent_run"] = f"{run.get('address')} {run.get('run_id')}"
        return tags

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Remove this resource's versions; nothing to do (and no MLflow) when there are none."""
        registry = self.registry
        name = str(props.get("name"))
        db = sqlite_path(registry.tracking_uri)
        if db is not None and not versions_of_address(
            db, name, self.ctx.address, self.ctx.workspace
        ):
            return
        self.ctx.run_job(
            _UNREGISTER,
            {
                "tracking_uri": registry.tracking_uri,
                "name": name,
                "address": self.ctx.address,
                "workspace": self.ctx.workspace,
            },
        )

    # -- show -------------------------------------------------------------------------------

    def describe(self, outputs: dict[str, Any]) -> str:
        """Version, aliases and lineage of the registered model, for ``opspec show``."""
        return render_lineage(outputs)


def _check_registration(inputs: dict[str, Any]) -> list[CheckFailure]:
    """A model URI to register, each alias once, and no tag in opspec's own namespace."""
    failures = []
    artifact = inputs.get("artifact")
    if not is_unknown(artifact) and not is_artifact_uri(artifact):
        failures.append(
            CheckFailure("artifact", "expected a model URI such as ${training_job.NAME.model_uri}")
        )
    aliases = inputs.get("aliases") or []
    for i, alias in enumerate(aliases):
        if alias in aliases[:i]:
            failures.append(CheckFailure(f"aliases.{i}", f"alias {alias!r} is listed twice"))
    for key in inputs.get("tags") or {}:
        if key.startswith(_RESERVED_TAG):
            failures.append(CheckFailure(f"tags.{key}", "tags opspec.* are set by opspec"))
    return failures


def render_lineage(outputs: dict[str, Any]) -> str:
    lineage = outputs.get("lineage") or {}
    aliases = ", ".join(outputs.get("aliases") or []) or "none"
    lines = [
        f"{outputs.get('name')} version {outputs.get('version')} (aliases: {aliases})",
        f"  registry:   {outputs.get('tracking_uri', '')}",
        f"  mlflow run: {outputs.get('run_id', '')}",
        f"  artifact:   {outputs.get('artifact', '')}",
    ]
    trained = lineage.get("estimator") or lineage.get("function")
    if trained:
        lines.append(f"  trained:    {lineage.get('framework', '')} {trained}")
    if lineage.get("code_hash"):
        lines.append(f"  code hash:  {lineage['code_hash']}")
    if lineage.get("params") is not None:
        params = ", ".join(f"{k}={v}" for k, v in sorted(lineage["params"].items())) or "(none)"
        lines.append(f"  params:     {params}; seed {lineage.get('seed')}")
    if lineage.get("dataset_sha256"):
        lines.append(f"  dataset:    sha256 {lineage['dataset_sha256']} ({lineage.get('dataset')})")
    metrics = lineage.get("metrics") or {}
    if metrics:
        lines.append("  metrics:    " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()))
    run = lineage.get("parent_run") or {}
    if run:
        lines.append(
            f"  parent run: {run.get('address')} {run.get('run_id')} (log {run.get('log_path')})"
        )
    return "\n".join(lines)
