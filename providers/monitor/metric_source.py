"""The ``metric_source`` provider: a file of samples, or a Prometheus query.

``check`` resolves everything a monitor needs into the source's ``uri`` at plan time: for a
file its content hash (so monitors trained on it retrain when it changes), for Prometheus the
server (from ``url`` or ``providers.prometheus.url``) and the query, which promtool parses
where installed. ``create`` reads the data once -- a file's columns and timestamps, in a job
(reading takes pandas, which stays out of the engine process), or an instant query against the
server, which fails naming the URL when the server is down or rejects the PromQL. ``read``
re-hashes the file, so changed data shows in the plan.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, ClassVar

from engine.providers import (
    CheckFailure,
    CreateResult,
    DiffResult,
    PlanAttributeError,
    Provider,
    ReadResult,
)
from providers.monitor import checks
from providers.monitor.errors import SourceReadError
from providers.monitor.paths import data_sha256, resolve_data_path
from providers.monitor.promapi import PrometheusClient
from providers.monitor.settings import PrometheusSettings
from providers.monitor.source_uri import SourceRef
from specs.base import SpecType
from specs.monitor import (
    FileSourceSpec,
    MetricSourceOutputs,
    MetricSourceSpec,
    PrometheusSourceSpec,
)

__all__ = ["MetricSourceProvider"]


def _format_of(spec: FileSourceSpec) -> str:
    if spec.format is not None:
        return spec.format.value
    return "parquet" if Path(str(spec.path)).suffix.lower() in {".parquet", ".pq"} else "csv"


class MetricSourceProvider(Provider):
    type_name: ClassVar[str] = "metric_source"
    spec: ClassVar[SpecType] = MetricSourceSpec
    outputs: ClassVar[type[MetricSourceOutputs]] = MetricSourceOutputs

    def _url(self, spec: PrometheusSourceSpec) -> str | None:
        if spec.url:
            return spec.url.rstrip("/")
        return PrometheusSettings.from_block(self.ctx.family_settings("prometheus")).url

    def _ref(self, spec: FileSourceSpec | PrometheusSourceSpec, sha256: str = "") -> SourceRef:
        if isinstance(spec, FileSourceSpec):
            return SourceRef(
                kind="file",
                path=str(spec.path),
                format=_format_of(spec),
                sha256=sha256,
                timestamp_column=spec.timestamp_column,
                value_column=spec.value_column,
                label_columns=tuple(spec.label_columns),
                labels=dict(spec.labels),
            )
        return SourceRef(
            kind="prometheus",
            url=str(self._url(spec)),
            query=str(spec.query),
            step=spec.step,
            labels=dict(spec.labels),
        )

    # -- plan ---------------------------------------------------------------------------

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        if isinstance(spec, FileSourceSpec):
            return self._check_file(spec)
        if self._url(spec) is None:
            return [CheckFailure("url", "set `url` or providers.prometheus.url")]
        refusal = checks.promql(spec.query)
        return [CheckFailure("query", f"invalid PromQL: {refusal}")] if refusal else []

    def _check_file(self, spec: FileSourceSpec) -> list[CheckFailure]:
        try:
            location = resolve_data_path(self.ctx.project_dir, spec.path)
        except SourceReadError as exc:
            return [CheckFailure("path", str(exc))]
        if _format_of(spec) != "csv":
            return []
        with location.open(newline="") as handle:
            header = next(csv.reader(handle), [])
        wanted = [
            ("timestamp_column", spec.timestamp_column),
            ("value_column", spec.value_column),
            *((f"label_columns.{i}", c) for i, c in enumerate(spec.label_columns)),
        ]
        return [
            CheckFailure(prop, f"no column {name!r} in {spec.path} (columns: {', '.join(header)})")
            for prop, name in wanted
            if name not in header
        ]

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """The source's ``uri`` (and a file's content hash, part of it)."""
        if isinstance(spec, FileSourceSpec):
            try:
                sha256 = data_sha256(self.ctx.project_dir, str(spec.path))
            except SourceReadError as exc:  # the file went away since check_semantics saw it
                raise PlanAttributeError("path", str(exc)) from exc
            return {"sha256": sha256, "uri": self._ref(spec, sha256).to_uri()}
        return {"uri": self._ref(spec).to_uri()}

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        moved = [k for k in ("sha256", "uri") if k in news and olds.get(k) != news.get(k)]
        if not moved:
            return result
        stables = [s for s in (result.stables or []) if s not in moved]
        return DiffResult(True, result.replaces, stables, result.delete_before_replace)

    # -- apply --------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        outs = {k: v for k, v in props.items() if k != "id"}
        if isinstance(spec, FileSourceSpec):
            sha256 = data_sha256(self.ctx.project_dir, str(spec.path))
            uri = self._ref(spec, sha256).to_uri()
            # Reading the file takes pandas: a job, so the engine process never imports it.
            counts = self.ctx.run_job(
                "providers.monitor.jobs.series:count_file_series",
                {"project_dir": str(self.ctx.project.resolve()), "source_uri": uri},
            ).value
            outs.update(sha256=sha256, uri=uri, **counts)
        else:
            ref = self._ref(spec)
            result = PrometheusClient(ref.url).query(ref.query)
            outs.update(uri=ref.to_uri(), series=len(result), samples=len(result))
        return CreateResult(self.ctx.address or "metric_source", outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if props.get("kind") != "file" or not props.get("path"):
            return ReadResult(id_, props)
        try:
            sha256 = data_sha256(self.ctx.project_dir, str(props["path"]))
        except SourceReadError:
            return ReadResult("", {})
        outs = dict(props)
        if sha256 != props.get("sha256"):
            spec = self.model(props)
            outs.update(sha256=sha256, uri=self._ref(spec, sha256).to_uri())
        return ReadResult(id_, outs)
