"""The ``monitor`` provider: threshold rules for Prometheus, trained anomaly and drift models.

- ``threshold``: ``check`` renders the rule group and runs ``promtool check rules`` (a refusal
  is a diagnostic on ``expr``/``metric``); the rule file's path and hash are known at plan
  time. ``create`` writes the file and, with a server configured, has Prometheus load it.
  ``read`` hashes the file on disk, so an edit outside opspec is drift.
- ``anomaly`` and ``drift``: ``create`` fits detectors (or the reference profile) in a child
  process and stores them as an artifact; the job cache (CachedJob) skips refitting when
  the source data, detector and parameters are unchanged.
- ``forecast``: nothing to build at apply; ``opspec monitor run`` fits the trend on fresh data.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

from engine.artifacts import ArtifactStore
from engine.hashing import sha256_json
from engine.providers import (
    CachedJob,
    CheckFailure,
    CreateResult,
    DiffResult,
    PlanAttributeError,
    Provider,
    ReadResult,
    UpdateResult,
)
from providers.monitor import checks
from providers.monitor.errors import SourceReadError, ToolMissing, ToolRejected
from providers.monitor.loading import install_rule_file, remove_rule_file
from providers.monitor.paths import data_sha256
from providers.monitor.rules import render_rule_group, resource_slug
from providers.monitor.settings import PrometheusSettings
from providers.monitor.tools import check_rules
from specs.base import SpecType
from specs.monitor import (
    AnomalyMonitorSpec,
    DriftMonitorSpec,
    ForecastMonitorSpec,
    MonitorOutputs,
    MonitorSpec,
    MonitorType,
    ThresholdMonitorSpec,
    parse_duration,
    parse_timestamp,
)

__all__ = ["MonitorProvider"]

# Bump when a detector's fitting changes, so cached fits are not reused across versions.
FIT_VERSION = "1"
# Attributes computed by `plan_attributes` (known at plan time) that `diff` compares like inputs.
_PLANNED = ("rule_file", "rule_sha256", "group", "alert_name", "prometheus_url", "reference_sha256")


class MonitorProvider(Provider, CachedJob):
    type_name: ClassVar[str] = "monitor"
    spec: ClassVar[SpecType] = MonitorSpec
    outputs: ClassVar[type[MonitorOutputs]] = MonitorOutputs

    @property
    def _prometheus(self) -> PrometheusSettings:
        return PrometheusSettings.from_block(self.ctx.family_settings("prometheus"))

    # -- plan ---------------------------------------------------------------------------

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        match spec:
            case ThresholdMonitorSpec():
                return checks.threshold(spec, self.ctx.address)
            case AnomalyMonitorSpec() | ForecastMonitorSpec():
                return checks.source(spec)
            case DriftMonitorSpec():
                return checks.drift(spec, self.ctx.project_dir)
        return []

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """A threshold rule's file, hash, group, alert and server; a drift reference's hash."""
        if isinstance(spec, ThresholdMonitorSpec):
            rendered = render_rule_group(spec, self.ctx.address)
            settings = self._prometheus
            rules_dir = settings.rules_path(self.ctx.project_dir)
            return {
                "rule_file": self._display_path(
                    rules_dir / f"{resource_slug(self.ctx.address)}.yml"
                ),
                "rule_sha256": rendered.sha256,
                "group": rendered.group,
                "alert_name": rendered.alert,
                "prometheus_url": settings.url,
            }
        if isinstance(spec, DriftMonitorSpec):
            try:
                return {"reference_sha256": data_sha256(self.ctx.project_dir, spec.reference)}
            except SourceReadError as exc:  # the file went away since check_semantics saw it
                raise PlanAttributeError("reference", str(exc)) from exc
        return {}

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        planned = [k for k in _PLANNED if k in news and olds.get(k) != news.get(k)]
        lost_fit = news.get("type") in ("anomaly", "drift") and not olds.get("detector_uri")
        if planned or lost_fit:
            changes = [*planned, *(["detector_uri"] if lost_fit else [])]
            stables = [s for s in (result.stables or []) if s not in changes]
            return DiffResult(True, result.replaces, stables, result.delete_before_replace)
        return result

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        kind = inputs.get("type")
        keys: tuple[str, ...]
        if kind == "anomaly":
            keys = (
                "source",
                "detector",
                "sensitivity",
                "context",
                "train_until",
                "training_window",
            )
        elif kind == "drift":
            keys = ("reference_sha256", "features")
        else:
            return {}
        parts = {k: sha256_json(inputs.get(k)) for k in keys}
        parts["fit_version"] = FIT_VERSION
        return parts

    # -- apply --------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        outs = {k: v for k, v in props.items() if k != "id"}
        match spec.type:
            case MonitorType.THRESHOLD:
                outs.update(self._create_threshold(spec))
            case MonitorType.ANOMALY | MonitorType.DRIFT:
                outs.update(self._fit(spec, props))
            case MonitorType.FORECAST:
                pass
        return CreateResult(self.ctx.address or "monitor", outs)

    def _display_path(self, path: Path) -> str:
        root = Path(self.ctx.project_dir).resolve()
        resolved = path.resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(resolved)

    def _rule_path(self, props: dict[str, Any]) -> Path:
        stored = Path(str(props.get("rule_file") or ""))
        return stored if stored.is_absolute() else Path(self.ctx.project_dir) / stored

    def _create_threshold(self, spec: ThresholdMonitorSpec) -> dict[str, Any]:
        rendered = render_rule_group(spec, self.ctx.address)
        try:
            refusal = check_rules(rendered.text)
            verdict = "promtool check rules: ok"
        except ToolMissing as exc:
            refusal, verdict = None, f"warning: {exc}"
            print(f"warning: {self.ctx.address}: {exc}", file=sys.stderr)
        if refusal:
            raise ToolRejected(f"{self.ctx.address}: promtool check rules: {refusal}")
        settings = self._prometheus
        path = install_rule_file(
            settings,
            self.ctx.project_dir,
            f"{resource_slug(self.ctx.address)}.yml",
            rendered.text,
            rendered.group,
        )
        return {
            "rule_file": self._display_path(path),
            "rule_sha256": rendered.sha256,
            "group": rendered.group,
            "alert_name": rendered.alert,
            "prometheus_url": settings.url,
            "rule_check": verdict,
        }

    def _fit(
        self, spec: AnomalyMonitorSpec | DriftMonitorSpec, props: dict[str, Any]
    ) -> dict[str, Any]:
        key = self.cache_key(props)
        cached = self.cached_outputs(key)
        if cached is None:
            target, kwargs = self._job(spec)
            cached = dict(self.ctx.run_job(target, kwargs).value)
            self.store_outputs(key, cached)
        return {**cached, "cache_key": key, "cache_parts": self.cache_parts(props)}

    def _job(self, spec: AnomalyMonitorSpec | DriftMonitorSpec) -> tuple[str, dict[str, Any]]:
        common = {
            "project_dir": str(Path(self.ctx.project_dir).resolve()),
            "artifacts_dir": str(self.ctx.artifacts_dir.resolve()),
        }
        if isinstance(spec, DriftMonitorSpec):
            kwargs = {"reference": spec.reference, "features": spec.features}
            return "providers.monitor.jobs.fit:fit_drift", {**common, **kwargs}
        return "providers.monitor.jobs.fit:fit_anomaly", {
            **common,
            "source_uri": spec.source,
            "detector": spec.detector.value,
            "sensitivity": spec.sensitivity,
            "context": spec.context,
            "train_until": parse_timestamp(spec.train_until) if spec.train_until else None,
            "training_window_s": parse_duration(spec.training_window),
        }

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        outs = dict(self.create(news).outs or {})
        moved = olds.get("type") == "threshold" and olds.get("rule_file") != outs.get("rule_file")
        if moved and olds.get("rule_file"):
            # The rules moved (another rules_dir or server): take the old file away.
            self.delete(id_, olds)
        return UpdateResult(outs=outs)

    # -- refresh and destroy ------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        kind = props.get("type")
        outs = dict(props)
        if kind == "threshold" and props.get("rule_file"):
            path = self._rule_path(props)
            if not path.is_file():
                return ReadResult("", {})
            from engine.hashing import sha256_file

            outs["rule_sha256"] = sha256_file(path)
        elif kind in ("anomaly", "drift"):
            uri = props.get("detector_uri")
            if not (uri and ArtifactStore(self.ctx.artifacts_dir).exists(str(uri))):
                outs["detector_uri"] = None
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("type") == "threshold" and props.get("rule_file"):
            path = self._rule_path(props)
            # Unload from the server that loaded it, which may no longer be the configured one.
            url = props.get("prometheus_url")
            settings = PrometheusSettings(
                str(url) if url else None, str(path.parent), self._prometheus.config_file
            )
            remove_rule_file(settings, self.ctx.project_dir, path, str(props.get("group")))
