"""``monitor``: what to watch and when to alert, one model per ``type``.

- ``threshold``: a Prometheus alerting rule on a PromQL expression or metric.
- ``anomaly``: a detector trained on the history of a ``metric_source``.
- ``forecast``: a metric's trend crossing a limit within a horizon.
- ``drift``: reference vs current data, PSI and KS per feature.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from specs.base import ForceNew, KindSpec, Outputs, ResourceSpec
from specs.gates import Comparison
from specs.monitor.values import DataPath, Duration, Timestamp

__all__ = [
    "AnomalyMonitorSpec",
    "DetectorName",
    "Direction",
    "DriftMonitorSpec",
    "DriftThresholds",
    "ForecastMonitorSpec",
    "MonitorOutputs",
    "MonitorSpec",
    "MonitorType",
    "ThresholdMonitorSpec",
]


class MonitorType(StrEnum):
    THRESHOLD = "threshold"
    ANOMALY = "anomaly"
    FORECAST = "forecast"
    DRIFT = "drift"


class Direction(StrEnum):
    ABOVE = "above"
    BELOW = "below"


class DetectorName(StrEnum):
    """Anomaly detectors; see ``providers/monitor/jobs/detectors`` for how each one works."""

    DISCORD = "discord"
    MAD = "mad"
    SEASONAL = "seasonal"
    IFOREST = "iforest"
    SIGMA = "sigma"


class DriftThresholds(ResourceSpec):
    psi: Annotated[
        float, Field(gt=0, description="Population stability index above which a feature drifts.")
    ] = 0.2
    ks: Annotated[
        float,
        Field(gt=0, le=1, description="Kolmogorov-Smirnov statistic above which it drifts."),
    ] = 0.1


class _MonitorKind(KindSpec):
    """Fields every type of monitor has."""

    plural: ClassVar[str] = "monitors"

    type: Annotated[MonitorType, ForceNew(), Field(description="What kind of monitor.")]
    service: Annotated[
        str | None, Field(description="The service this monitor watches (for incidents).")
    ] = None
    severity: Annotated[str, Field(description="Severity label of its alerts.")] = "warning"
    summary: Annotated[str | None, Field(description="One line describing an alert.")] = None
    labels: Annotated[dict[str, str], Field(description="Extra labels of its alerts.")] = Field(
        default_factory=dict
    )


class ThresholdMonitorSpec(_MonitorKind):
    """A Prometheus alerting rule: ``expr`` (or ``metric``) compared with ``value``."""

    type: Annotated[Literal[MonitorType.THRESHOLD], ForceNew(), Field(description="`threshold`.")]
    annotations: Annotated[dict[str, str], Field(description="Extra annotations of the rule.")] = (
        Field(default_factory=dict)
    )
    alert: Annotated[
        str | None, Field(description="Alert name (default: from the resource name).")
    ] = None
    expr: Annotated[str | None, Field(description="A PromQL expression.")] = None
    metric: Annotated[str | None, Field(description="A metric selector (instead of `expr`).")] = (
        None
    )
    comparison: Annotated[Comparison, Field(description="How `value` is compared.")]
    value: Annotated[float, Field(description="The value compared with.")]
    duration: Annotated[
        Duration, Field(description="How long it must hold to fire (Prometheus `for`).")
    ] = "0s"


class AnomalyMonitorSpec(_MonitorKind):
    """A detector trained on a source's history flags unusual samples."""

    type: Annotated[Literal[MonitorType.ANOMALY], ForceNew(), Field(description="`anomaly`.")]
    source: Annotated[str, Field(description="`${metric_source.NAME.uri}`.")]
    detector: Annotated[DetectorName, Field(description="The detector (default discord).")] = (
        DetectorName.DISCORD
    )
    sensitivity: Annotated[
        float, Field(gt=0, le=10, description=">1 flags more, <1 flags less.")
    ] = 1.0
    context: Annotated[
        int, Field(ge=2, le=256, description="Samples per context (discord, iforest).")
    ] = 8
    train_until: Annotated[
        Timestamp | None,
        Field(description="Train on samples up to this time (default: all at apply)."),
    ] = None
    training_window: Annotated[
        Duration, Field(description="How much history before `train_until` trains.")
    ] = "7d"


class ForecastMonitorSpec(_MonitorKind):
    """Alerts when a source's trend will cross ``limit`` within ``horizon``."""

    type: Annotated[Literal[MonitorType.FORECAST], ForceNew(), Field(description="`forecast`.")]
    source: Annotated[str, Field(description="`${metric_source.NAME.uri}`.")]
    limit: Annotated[float, Field(description="The capacity limit.")]
    direction: Annotated[
        Direction, Field(description="Alert when going above or below `limit`.")
    ] = Direction.ABOVE
    horizon: Annotated[Duration, Field(description="How far ahead to look.")] = "7d"
    lookback: Annotated[Duration, Field(description="History the trend is fitted on.")] = "1d"


class DriftMonitorSpec(_MonitorKind):
    """Compares current data with reference data, feature by feature."""

    type: Annotated[Literal[MonitorType.DRIFT], ForceNew(), Field(description="`drift`.")]
    reference: Annotated[DataPath, Field(description="The reference data (CSV/Parquet).")]
    current: Annotated[DataPath, Field(description="The current data (CSV/Parquet).")]
    features: Annotated[
        list[str] | None, Field(description="Columns compared (default: numeric shared).")
    ] = None
    thresholds: Annotated[DriftThresholds, Field(description="Per-test thresholds.")] = Field(
        default_factory=DriftThresholds
    )


MonitorSpec = Annotated[
    ThresholdMonitorSpec | AnomalyMonitorSpec | ForecastMonitorSpec | DriftMonitorSpec,
    Field(discriminator="type"),
]
"""A monitor of one ``type``; each type's model lists its fields."""


class MonitorOutputs(Outputs):
    rule_file: Annotated[
        str | None, Field(description="threshold: the rendered rule group file.")
    ] = None
    rule_sha256: Annotated[str | None, Field(description="threshold: its content hash.")] = None
    group: Annotated[str | None, Field(description="threshold: the rule group name.")] = None
    alert_name: Annotated[str | None, Field(description="threshold: the alert name.")] = None
    prometheus_url: Annotated[
        str | None, Field(description="threshold: the Prometheus that loaded the rule.")
    ] = None
    rule_check: Annotated[
        str | None, Field(description="threshold: what promtool said (or that it is missing).")
    ] = None
    reference_sha256: Annotated[
        str | None, Field(description="drift: content hash of the reference data.")
    ] = None
    trained_series: Annotated[
        int | None, Field(description="anomaly/drift: series or features fitted.")
    ] = None
    trained_until: Annotated[
        float | None, Field(description="anomaly: epoch seconds of the last training sample.")
    ] = None
    detector_uri: Annotated[
        str | None, Field(description="anomaly/drift: the fitted detector (artifact URI).")
    ] = None
    cache_key: Annotated[str | None, Field(description="anomaly/drift: the job cache key.")] = None
    cache_parts: Annotated[
        dict[str, str] | None, Field(description="anomaly/drift: what the key is made of.")
    ] = None
