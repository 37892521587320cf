"""The ``evaluation`` provider: measure a model on a dataset and gate on the results.

Measuring is a cached job (model, dataset, rows and metrics determine the numbers); judging the
gates is not part of the cache, so changing a threshold is an in-place update that re-judges the
stored metrics without running anything. A failed gate raises from ``create``/``update`` with the
measured value, so the engine fails this resource and skips what depends on it (registration).
"""

from __future__ import annotations

from typing import Any, ClassVar

from engine.artifacts import ArtifactStore, is_artifact_uri
from engine.expr.unknown import is_unknown
from engine.providers import (
    CachedJob,
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    Provider,
    SchemaFailure,
)
from providers.ml.cache_parts import libraries_part, library_versions, uri_digest
from providers.ml.catalog import model_meta
from providers.ml.diff import diff_fields, spec_defaults
from providers.ml.errors import GateFailedError, MissingArtifactError
from specs.gates import Condition, parse_condition
from specs.ml import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    EvaluationOutputs,
    EvaluationSpec,
    Metric,
)

__all__ = ["EvaluationProvider"]

_JOB = "providers.ml.jobs.evaluate:evaluate_model"
_LIBRARIES = ("scikit-learn", "numpy", "pandas", "pyarrow", "torch")


class EvaluationProvider(CachedJob, Provider):
    """Measures ``metrics`` of ``model`` on ``dataset``; fails when a gate is not met."""

    type_name: ClassVar[str] = "evaluation"
    spec: ClassVar[type[EvaluationSpec]] = EvaluationSpec
    outputs: ClassVar[type[EvaluationOutputs]] = EvaluationOutputs

    # -- plan -------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Overridden because two checks of the spec alone must also judge inputs that are
        partly unknown (the model is, on every first plan), which ``check_semantics`` never
        sees: gates name known metrics (reported beside schema errors too), and ``model``
        and ``dataset`` are artifact URIs."""
        result = super().check(olds, news)
        failures = list(result.failures or [])
        gates = news.get("gates")
        extra = _check_gate_metrics(gates) if isinstance(gates, dict) else []
        if not any(isinstance(f, SchemaFailure) for f in failures):
            extra += _check_uris(result.inputs)
        seen = {f.property for f in failures}
        return CheckResult(
            result.inputs, [*failures, *(f for f in extra if f.property not in seen)]
        )

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        """Metrics that do not fit the model's task, when the model is already stored."""
        meta = model_meta(spec.model, self.ctx.artifacts_dir)
        if meta is None:
            return []
        task = meta.get("task")
        allowed = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
        failures = [
            CheckFailure(f"metrics.{i}", f"{m} does not apply to a {task} model")
            for i, m in enumerate(spec.metrics)
            if m not in allowed
        ]
        failures += [
            CheckFailure(f"gates.{m}", f"{m} does not apply to a {task} model")
            for m in spec.gates
            if m in {x.value for x in Metric} and m not in allowed
        ]
        return failures

    def _gated(self, spec: EvaluationSpec) -> list[str]:
        listed = [m.value for m in spec.metrics]
        return [m for m in spec.gates if m not in listed]

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        spec: EvaluationSpec = self.model(inputs)
        libraries = library_versions(*_LIBRARIES)
        return {
            "model": uri_digest(spec.model),
            "dataset": uri_digest(spec.dataset),
            "split": spec.split.value,
            "metrics": ",".join([m.value for m in spec.metrics] or ["(default)"])
            + "".join(f",{m}" for m in self._gated(spec)),
            "libraries": libraries_part(libraries),
        }

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        fields = list(self.spec.model_fields)
        return diff_fields(
            olds,
            news,
            fields,
            defaults=spec_defaults(self.spec),
            force_new=[f for f in fields if f != "gates"],
        )

    # -- apply ------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec: EvaluationSpec = self.model(props)
        key = self.cache_key(props)
        outs = {**props, "cache_key": key, "cache_parts": self.cache_parts(props)}
        measured = self.cached_outputs(key)
        reused = measured is not None
        if measured is None:
            measured = self._measure(spec)
            self.store_outputs(key, measured)
        gates = {m: parse_condition(c) for m, c in spec.gates.items()}
        results = _judge(gates, measured["scores"])
        computed = {k: v for k, v in measured.items() if k not in EvaluationSpec.model_fields}
        outs.update(computed, reused=reused, gate_results=results)
        outs["passed"] = all(r["passed"] for r in results.values())
        if not outs["passed"]:
            failed = [
                f"{m} = {r['value']:.4f} does not meet `{r['condition']}`"
                for m, r in results.items()
                if not r["passed"]
            ]
            raise GateFailedError(
                f"gate failed: {'; '.join(failed)} (on {measured['rows']} {spec.split.value} rows)",
                dict(measured["scores"]),
            )
        return CreateResult(key, outs)

    def _measure(self, spec: EvaluationSpec) -> dict[str, Any]:
        store = ArtifactStore(self.ctx.artifacts_dir)
        for uri in (spec.model, spec.dataset):
            if not store.exists(uri):
                raise MissingArtifactError(f"artifact {uri} is not in the store")
        job = self.ctx.run_job(
            _JOB,
            {
                "model_dir": str(store.path(spec.model)),
                "dataset_dir": str(store.path(spec.dataset)),
                "part": spec.split.value,
                "metrics": [m.value for m in spec.metrics],
                "gated": self._gated(spec),
            },
            # A torch model is a pickle of the user's network class: loading it imports the
            # project module that the training job's `function` named.
            user_code=(model_meta(spec.model, self.ctx.artifacts_dir) or {}).get("framework")
            == "torch",
        )
        value = job.value
        return {
            "scores": {k: float(v) for k, v in value["metrics"].items()},
            "rows": int(value["rows"]),
            "task": value["task"],
            "run_id": job.run_dir.name,
            "log_path": str(job.log_path),
        }

    def describe(self, outputs: dict[str, Any]) -> str:
        """Measured metrics and gate results, for ``opspec show``."""
        scores = outputs.get("scores") or {}
        lines = [
            f"{outputs.get('task', '')} model {outputs.get('model', '')} on "
            f"{outputs.get('rows', 0)} {outputs.get('split', 'test')} rows",
            "scores: " + ", ".join(f"{k}={v:.4g}" for k, v in scores.items()),
        ]
        for metric, result in (outputs.get("gate_results") or {}).items():
            verdict = "passed" if result.get("passed") else "FAILED"
            lines.append(f"gate {metric} {result.get('condition')}: {verdict}")
        return "\n".join(lines)


def _judge(gates: dict[str, Condition], metrics: dict[str, float]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for metric, condition in gates.items():
        value = float(metrics.get(metric, float("nan")))
        out[metric] = {
            "condition": str(condition),
            "value": value,
            "passed": condition.passes(value),
        }
    return out


def _check_gate_metrics(gates: dict[str, Any]) -> list[CheckFailure]:
    """Each gate names a known metric (its condition is checked by the spec's `Gate` type)."""
    known = [m.value for m in Metric]
    return [
        CheckFailure(f"gates.{metric}", f"unknown metric; one of {', '.join(known)}")
        for metric in gates
        if metric not in known
    ]


def _check_uris(inputs: dict[str, Any]) -> list[CheckFailure]:
    """``model`` and ``dataset`` name stored artifacts, wherever they are known already."""
    return [
        CheckFailure(field, f"expected an artifact URI, got {value!r}")
        for field in ("model", "dataset")
        if not is_unknown(value := inputs.get(field)) and not is_artifact_uri(value)
    ]
