"""The ``training_job`` provider: fit a model in a child process, cached by content.

Plan time (``check``, ``diff``, ``cache_parts``) never imports user code, scikit-learn or torch:
a torch function is fingerprinted from its source file, an estimator is checked against the
allow-list, and its params are validated by a child process that imports scikit-learn, only
when the estimator or params changed since the last plan. The cache key covers the dataset
snapshot, params, estimator or code hash, columns, seed and the versions of the libraries that
compute the model; on a hit ``create`` reuses the stored model and nothing runs, even after
``destroy``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from engine.artifacts import ArtifactStore, is_artifact_uri
from engine.expr.unknown import contains_unknown, is_unknown
from engine.hashing import sha256_json
from engine.providers import (
    CachedJob,
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    PlanAttributeError,
    Provider,
    ReadResult,
    denormalize_floats,
)
from providers.ml.cache_parts import libraries_part, library_versions, uri_digest
from providers.ml.catalog import dataset_manifest
from providers.ml.diff import diff_fields, spec_defaults
from providers.ml.errors import MissingArtifactError, UserCodeError
from providers.ml.estimators import check_allowed, estimator_distribution, validate_estimator
from providers.ml.lineage import record_training_run
from providers.ml.usercode import locate_function
from specs.ml import Framework, TrainingJobOutputs, TrainingJobSpec

__all__ = ["TrainingJobProvider"]

_JOBS = {
    Framework.SKLEARN: "providers.ml.jobs.train:train_sklearn",
    Framework.TORCH: "providers.ml.jobs.train:train_torch",
}
_DATA_LIBRARIES = ("numpy", "pandas", "pyarrow")


class TrainingJobProvider(CachedJob, Provider):
    """Trains ``estimator`` or ``function`` on ``dataset``; its id is the cache key."""

    type_name: ClassVar[str] = "training_job"
    spec: ClassVar[type[TrainingJobSpec]] = TrainingJobSpec
    outputs: ClassVar[type[TrainingJobOutputs]] = TrainingJobOutputs

    # -- plan -------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Overridden for the one check that needs the stored inputs (``olds``): validating an
        estimator's params imports scikit-learn (in a child process), so it runs only on inputs
        that passed every other check, and only when the estimator or its params changed
        since the last plan."""
        result = super().check(olds, news)
        inputs = result.inputs
        estimator, params = inputs.get("estimator"), inputs.get("params", {})
        if (
            result.failures
            or inputs.get("framework") != Framework.SKLEARN
            or not isinstance(estimator, str)
            or contains_unknown([estimator, params])
        ):
            return result
        unchanged = olds.get("estimator") == estimator and denormalize_floats(
            olds.get("params", {})
        ) == denormalize_floats(params)
        return result if unchanged else CheckResult(inputs, validate_estimator(estimator, params))

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        return [*_check_framework(spec), *self._check_columns(spec)]

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """``code_hash``: a torch function's fingerprint (an estimator is named by its path)."""
        if spec.framework is not Framework.TORCH:
            return {"code_hash": ""}
        try:
            return {"code_hash": locate_function(self.ctx.project_dir, spec.function).code_hash}
        except UserCodeError as exc:
            raise PlanAttributeError("function", str(exc)) from exc

    def partial_attributes(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """``code_hash`` as soon as the framework and function are known, so a change of
        another input alone does not look like new code."""
        framework, function = inputs.get("framework"), inputs.get("function")
        if framework == Framework.SKLEARN:
            return {"code_hash": ""}
        if framework != Framework.TORCH or not isinstance(function, str) or is_unknown(function):
            return {}
        try:
            return {"code_hash": locate_function(self.ctx.project_dir, function).code_hash}
        except UserCodeError:
            return {}  # reported once the unknown inputs are known and check runs again

    def _check_columns(self, spec: TrainingJobSpec) -> list[CheckFailure]:
        if not is_artifact_uri(spec.dataset):
            return [CheckFailure("dataset", "expected a dataset URI such as ${dataset.NAME.uri}")]
        manifest = dataset_manifest(spec.dataset, self.ctx.artifacts_dir) or {}
        columns = manifest.get("columns")
        if not isinstance(columns, list):
            return []  # not known before the dataset is profiled (Parquet): checked on apply
        failures = []
        shown = ", ".join(columns[:12]) + (", …" if len(columns) > 12 else "")
        target, features = spec.target, spec.features or []
        if target not in columns:
            failures.append(
                CheckFailure("target", f"the dataset has no column {target!r} ({shown})")
            )
        for i, name in enumerate(features):
            if name not in columns:
                failures.append(
                    CheckFailure(f"features.{i}", f"the dataset has no column {name!r} ({shown})")
                )
            elif name == target:
                failures.append(CheckFailure(f"features.{i}", "the target cannot be a feature"))
        return failures

    def _libraries(self, spec: TrainingJobSpec) -> dict[str, str]:
        if spec.framework is Framework.TORCH:
            return library_versions("torch", *_DATA_LIBRARIES)
        dist = estimator_distribution(spec.estimator or "") or "scikit-learn"
        return library_versions(dist, "scipy", "joblib", *_DATA_LIBRARIES)

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        spec: TrainingJobSpec = self.model(inputs)
        if spec.framework is Framework.TORCH:
            code_hash = (
                inputs.get("code_hash")
                or locate_function(self.ctx.project_dir, spec.function or "").code_hash
            )
            code = sha256_json({"function": spec.function, "file": code_hash})
        else:
            code = str(spec.estimator)
        libraries = self._libraries(spec)
        return {
            "dataset": uri_digest(spec.dataset),
            "framework": spec.framework.value,
            "code" if spec.framework is Framework.TORCH else "estimator": code,
            "params": sha256_json(spec.params),
            "columns": sha256_json(
                {
                    "features": spec.features,
                    "target": spec.target,
                    "task": spec.task,
                    "split": spec.split,
                }
            ),
            "seed": str(spec.seed),
            "libraries": libraries_part(libraries),
        }

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        fields = [*self.spec.model_fields, "code_hash"]
        result = diff_fields(
            olds,
            news,
            fields,
            defaults=spec_defaults(self.spec),
            force_new=[f for f in fields if f != "timeout_s"],
        )
        if not olds.get("model_uri"):
            # The stored model is gone (see read): train again, from the cache if it has it.
            return DiffResult(True, result.replaces, [], True)
        return result

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The model artifact must still be in the store; a lost one is drift."""
        outs = dict(props)
        if not ArtifactStore(self.ctx.artifacts_dir).exists(str(props.get("model_uri", ""))):
            outs["model_uri"] = ""
        return ReadResult(id_, outs)

    # -- apply ------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec: TrainingJobSpec = self.model(props)
        parts = self.cache_parts(props)
        key = self.cache_key(props)
        outs = {**props, "cache_key": key, "cache_parts": parts}
        cached = self.cached_outputs(key)
        if cached is not None:
            return CreateResult(key, {**outs, **_computed_only(cached), "reused": True})
        computed = self._train(spec, props)
        self.store_outputs(key, computed)
        return CreateResult(key, {**outs, **computed, "reused": False})

    def _job_kwargs(self, spec: TrainingJobSpec, props: dict[str, Any]) -> dict[str, Any]:
        """The job's arguments, with the lineage it writes into the model's ``meta.json``."""
        manifest = dataset_manifest(spec.dataset, self.ctx.artifacts_dir) or {}
        lineage = {
            "dataset": spec.dataset,
            "dataset_sha256": manifest.get("sha256"),
            "estimator": spec.estimator,
            "function": spec.function,
            "code_hash": props.get("code_hash"),
            "params": spec.params,
            "seed": spec.seed,
            "libraries": self._libraries(spec),
        }
        kwargs: dict[str, Any] = {
            "dataset_dir": str(ArtifactStore(self.ctx.artifacts_dir).path(spec.dataset)),
            "part": spec.split.value,
            "params": spec.params,
            "features": spec.features,
            "target": spec.target,
            "seed": spec.seed,
            "task": spec.task.value if spec.task else None,
            "lineage": lineage,
        }
        if spec.framework is Framework.TORCH:
            kwargs["function"] = spec.function
        else:
            kwargs["estimator"] = spec.estimator
        return kwargs

    def _train(self, spec: TrainingJobSpec, props: dict[str, Any]) -> dict[str, Any]:
        """Run the job into a staging folder, store the model; nothing is left on failure."""
        store = ArtifactStore(self.ctx.artifacts_dir)
        if not store.exists(spec.dataset):
            raise MissingArtifactError(
                f"dataset snapshot {spec.dataset} is not in the artifact store"
            )
        kwargs = self._job_kwargs(spec, props)
        store.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".model-", dir=store.root))
        try:
            kwargs["out_dir"] = str(staging / "model")
            job = self.ctx.run_job(
                _JOBS[spec.framework],
                kwargs,
                timeout_s=spec.timeout_s,
                user_code=spec.framework is Framework.TORCH,
            )
            model_uri = store.put(staging / "model")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        run = {
            "address": self.ctx.address,
            "run_id": job.run_dir.name,
            "log_path": str(job.log_path),
        }
        record_training_run(self.ctx.artifacts_dir, model_uri, run)
        return {
            "model_uri": model_uri,
            "metrics": job.value["metrics"],
            "loss_curve": job.value["loss_curve"],
            "duration_s": round(float(job.value["duration_s"]), 4),
            "job_duration_s": round(job.duration_s, 4),
            "run_id": job.run_dir.name,
            "log_path": str(job.log_path),
        }

    def describe(self, outputs: dict[str, Any]) -> str:
        """Metrics, loss curve and run of a trained model, for ``opspec show``."""
        what = outputs.get("estimator") or outputs.get("function") or "?"
        lines = [f"{outputs.get('framework')} {what} -> {outputs.get('model_uri') or '(none)'}"]
        metrics = outputs.get("metrics") or {}
        if metrics:
            lines.append("metrics: " + ", ".join(f"{k}={v:.4g}" for k, v in metrics.items()))
        curve = outputs.get("loss_curve") or []
        if curve:
            losses = [f"{e.get('loss', float('nan')):.4g}" for e in curve]
            lines.append(f"loss curve ({len(curve)} epochs): " + " ".join(losses))
        reused = " (reused from cache)" if outputs.get("reused") else ""
        lines.append(
            f"run {outputs.get('run_id', '')}{reused}: fit {outputs.get('duration_s', 0):.2f}s, "
            f"job {outputs.get('job_duration_s', 0):.2f}s; log {outputs.get('log_path', '')}"
        )
        return "\n".join(lines)


def _check_framework(spec: TrainingJobSpec) -> list[CheckFailure]:
    """``estimator`` for scikit-learn, ``function`` for torch, and an allowed estimator."""
    if spec.framework is Framework.SKLEARN:
        if spec.function is not None:
            return [CheckFailure("function", "framework sklearn takes `estimator`, not this")]
        if spec.estimator is None:
            return [CheckFailure("estimator", "required when framework is sklearn")]
        return check_allowed(spec.estimator)
    if spec.estimator is not None:
        return [CheckFailure("estimator", "framework torch takes `function`, not this")]
    if spec.function is None:
        return [CheckFailure("function", "required when framework is torch")]
    return []


def _computed_only(record: dict[str, Any]) -> dict[str, Any]:
    """A cached record's computed attributes (never one that would shadow an input)."""
    return {k: v for k, v in record.items() if k not in TrainingJobSpec.model_fields}
