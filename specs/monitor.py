"""Spec models of the monitors family: what to watch, who owns it and where alerts go.

Four kinds of resources:

- ``metric_source``: where a metric's history comes from, a CSV/Parquet file in the project
  (timestamp, value and label columns) or a Prometheus server (a PromQL range query).
- ``monitor``: one of four ``type``s: ``threshold`` (a Prometheus alerting rule),
  ``anomaly`` (a detector trained on the source's history), ``forecast`` (a metric crossing a
  limit within a horizon) and ``drift`` (reference vs current data, PSI and KS per feature).
- ``service_topology``: services, their owners and dependencies (a graph without cycles).
- ``alert_route``: Alertmanager-style matchers sending alerts to a receiver owned by a team.

A monitor's fields are one flat model so a typo anywhere is reported; which fields belong to
which ``type`` is declared in :data:`MONITOR_TYPE_FIELDS` and checked by the provider, which
reports a field of another type at its exact position.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from specs.base import ForceNew, Outputs, ResourceSpec
from specs.core import normalize_project_path

__all__ = [
    "MONITOR_TYPE_FIELDS",
    "AlertRouteOutputs",
    "AlertRouteSpec",
    "Comparison",
    "DataPath",
    "DetectorName",
    "Direction",
    "DriftThresholds",
    "Duration",
    "FileFormat",
    "MetricSourceKind",
    "MetricSourceOutputs",
    "MetricSourceSpec",
    "MonitorOutputs",
    "MonitorSpec",
    "MonitorType",
    "ServiceSpec",
    "ServiceTopologyOutputs",
    "ServiceTopologySpec",
    "format_duration",
    "parse_duration",
    "parse_timestamp",
]

# Prometheus's duration syntax: units from largest to smallest, e.g. 1h30m, 90s, 7d.
_DURATION = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_UNIT_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as ``5m`` or ``1h30m``; ValueError otherwise."""
    match = _DURATION.match(text.strip()) if text else None
    if match is None or not text.strip():
        raise ValueError(f"invalid duration {text!r}: write it like 30s, 5m, 1h30m or 7d")
    numbers = match.groups()[1::2]
    return float(sum(int(n) * u for n, u in zip(numbers, _UNIT_SECONDS, strict=True) if n))


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a whole number of seconds (``0s`` for zero)."""
    left = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_check_duration)]
"""A Prometheus duration string (``30s``, ``5m``, ``1h30m``, ``7d``)."""


def parse_timestamp(text: str) -> float:
    """Seconds since the epoch of an ISO 8601 timestamp (UTC when no zone) or of a number."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"invalid timestamp {text!r}: use ISO 8601 (2024-05-01T10:00:00Z) or epoch seconds"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _check_timestamp(value: str) -> str:
    parse_timestamp(value)
    return value


Timestamp = Annotated[str, AfterValidator(_check_timestamp)]


def _check_data_path(value: str) -> str:
    if value.startswith("pkg:"):
        dist, _, rel = value[4:].partition("/")
        if not dist or not rel:
            raise ValueError(f"write package data as pkg:DIST/PATH, got {value!r}")
        return f"pkg:{dist}/{normalize_project_path(rel)}"
    return normalize_project_path(value)


DataPath = Annotated[str, AfterValidator(_check_data_path)]
"""A file in the project (relative path) or inside an installed distribution (pkg:DIST/PATH)."""


# -- metric_source ---------------------------------------------------------------------------


class MetricSourceKind(StrEnum):
    FILE = "file"
    PROMETHEUS = "prometheus"


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class MetricSourceSpec(ResourceSpec):
    """Where a metric's samples come from."""

    kind: Annotated[
        MetricSourceKind,
        ForceNew(),
        Field(description="`file` (CSV/Parquet in the project) or `prometheus` (PromQL)."),
    ]
    path: Annotated[
        DataPath | None,
        Field(description="file: the CSV or Parquet file, relative to the project."),
    ] = None
    format: Annotated[
        FileFormat | None, Field(description="file: csv or parquet (default: from the suffix).")
    ] = None
    timestamp_column: Annotated[
        str, Field(description="file: the column of ISO 8601 timestamps or epoch seconds.")
    ] = "timestamp"
    value_column: Annotated[str, Field(description="file: the column of values.")] = "value"
    label_columns: Annotated[
        list[str],
        Field(description="file: columns whose values tell series apart (e.g. `service`)."),
    ] = Field(default_factory=list)
    labels: Annotated[
        dict[str, str], Field(description="Labels added to every series of this source.")
    ] = Field(default_factory=dict)
    url: Annotated[
        str | None,
        Field(description="prometheus: base URL (default: `providers.prometheus.url`)."),
    ] = None
    query: Annotated[str | None, Field(description="prometheus: the PromQL expression.")] = None
    step: Annotated[Duration, Field(description="prometheus: resolution of range queries.")] = "60s"


class MetricSourceOutputs(Outputs):
    uri: Annotated[
        str, Field(description="Self-contained address of the source, for monitors to read it.")
    ] = ""
    sha256: Annotated[str | None, Field(description="file: content hash of the data.")] = None
    series: Annotated[int | None, Field(description="Number of series found at apply.")] = None
    samples: Annotated[int | None, Field(description="Number of samples found at apply.")] = None


# -- monitor ---------------------------------------------------------------------------------


class MonitorType(StrEnum):
    THRESHOLD = "threshold"
    ANOMALY = "anomaly"
    FORECAST = "forecast"
    DRIFT = "drift"


class Comparison(StrEnum):
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    EQ = "=="
    NE = "!="


class Direction(StrEnum):
    ABOVE = "above"
    BELOW = "below"


class DetectorName(StrEnum):
    """Anomaly detectors; see ``providers/monitor/detectors`` for how each one works."""

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


class MonitorSpec(ResourceSpec):
    """A monitor of one ``type``; see MONITOR_TYPE_FIELDS for the fields of each type."""

    type: Annotated[MonitorType, ForceNew(), Field(description="What kind of monitor.")]
    service: Annotated[
        str | None, Field(description="The service this monitor watches (for incidents).")
    ] = None
    severity: Annotated[str, Field(description="Severity label of its alerts.")] = "warning"
    summary: Annotated[str | None, Field(description="One line describing an alert.")] = None
    labels: Annotated[dict[str, str], Field(description="Extra labels of its alerts.")] = Field(
        default_factory=dict
    )
    annotations: Annotated[
        dict[str, str], Field(description="threshold: extra annotations of the rule.")
    ] = Field(default_factory=dict)
    # threshold
    alert: Annotated[
        str | None, Field(description="threshold: alert name (default: from the resource name).")
    ] = None
    expr: Annotated[str | None, Field(description="threshold: a PromQL expression.")] = None
    metric: Annotated[
        str | None, Field(description="threshold: a metric selector (instead of `expr`).")
    ] = None
    comparison: Annotated[
        Comparison | None, Field(description="threshold: how `value` is compared.")
    ] = None
    value: Annotated[float | None, Field(description="threshold: the value compared with.")] = None
    duration: Annotated[
        Duration, Field(description="threshold: how long it must hold to fire (Prometheus `for`).")
    ] = "0s"
    # anomaly and forecast
    source: Annotated[
        str | None, Field(description="anomaly/forecast: `${metric_source.NAME.uri}`.")
    ] = None
    detector: Annotated[
        DetectorName, Field(description="anomaly: the detector (default discord).")
    ] = DetectorName.DISCORD
    sensitivity: Annotated[
        float, Field(gt=0, le=10, description="anomaly: >1 flags more, <1 flags less.")
    ] = 1.0
    context: Annotated[
        int,
        Field(ge=2, le=256, description="anomaly: samples per context (discord, iforest)."),
    ] = 8
    train_until: Annotated[
        Timestamp | None,
        Field(description="anomaly: train on samples up to this time (default: all at apply)."),
    ] = None
    training_window: Annotated[
        Duration, Field(description="anomaly: how much history before `train_until` trains.")
    ] = "7d"
    limit: Annotated[float | None, Field(description="forecast: the capacity limit.")] = None
    direction: Annotated[
        Direction, Field(description="forecast: alert when going above or below `limit`.")
    ] = Direction.ABOVE
    horizon: Annotated[Duration, Field(description="forecast: how far ahead to look.")] = "7d"
    lookback: Annotated[
        Duration, Field(description="forecast: history the trend is fitted on.")
    ] = "1d"
    # drift
    reference: Annotated[
        DataPath | None, Field(description="drift: the reference data (CSV/Parquet).")
    ] = None
    current: Annotated[
        DataPath | None, Field(description="drift: the current data (CSV/Parquet).")
    ] = None
    features: Annotated[
        list[str] | None, Field(description="drift: columns compared (default: numeric shared).")
    ] = None
    thresholds: Annotated[DriftThresholds, Field(description="drift: per-test thresholds.")] = (
        Field(default_factory=DriftThresholds)
    )


_COMMON = frozenset({"type", "service", "severity", "summary", "labels"})

MONITOR_TYPE_FIELDS: dict[MonitorType, tuple[frozenset[str], frozenset[str]]] = {
    # type -> (allowed fields, required fields)
    MonitorType.THRESHOLD: (
        _COMMON | {"annotations", "alert", "expr", "metric", "comparison", "value", "duration"},
        frozenset({"comparison", "value"}),
    ),
    MonitorType.ANOMALY: (
        _COMMON
        | {"source", "detector", "sensitivity", "context", "train_until", "training_window"},
        frozenset({"source"}),
    ),
    MonitorType.FORECAST: (
        _COMMON | {"source", "limit", "direction", "horizon", "lookback"},
        frozenset({"source", "limit"}),
    ),
    MonitorType.DRIFT: (
        _COMMON | {"reference", "current", "features", "thresholds"},
        frozenset({"reference", "current"}),
    ),
}


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


# -- service_topology ------------------------------------------------------------------------


class ServiceSpec(ResourceSpec):
    owner: Annotated[str, Field(min_length=1, description="Team that owns the service.")]
    depends_on: Annotated[
        list[str], Field(description="Services this one calls (its upstream).")
    ] = Field(default_factory=list)
    description: Annotated[str | None, Field(description="What the service does.")] = None


class ServiceTopologySpec(ResourceSpec):
    """Services, their owners and dependencies; a dependency cycle is an error."""

    services: Annotated[
        dict[str, ServiceSpec], Field(min_length=1, description="Service name -> its spec.")
    ]
    correlation_window: Annotated[
        Duration, Field(description="Alerts this close in time may form one incident.")
    ] = "15m"


class ServiceTopologyOutputs(Outputs):
    order: Annotated[
        list[str] | None, Field(description="Services, dependencies before dependents.")
    ] = None


# -- alert_route -----------------------------------------------------------------------------


class AlertRouteSpec(ResourceSpec):
    """One Alertmanager route: alerts matching every matcher go to ``receiver``."""

    matchers: Annotated[
        list[str],
        Field(description='Alertmanager matchers, e.g. `service="api"` or `severity=~"crit.*"`.'),
    ] = Field(default_factory=list)
    receiver: Annotated[str, Field(min_length=1, description="Name of the receiver.")]
    owner: Annotated[str | None, Field(description="Team reached through this route.")] = None
    webhook_url: Annotated[
        str | None, Field(description="Receiver's webhook (Alertmanager webhook_configs).")
    ] = None
    group_by: Annotated[list[str], Field(description="Labels alerts are grouped by.")] = Field(
        default_factory=lambda: ["alertname", "service"]
    )
    group_wait: Annotated[Duration, Field(description="Wait before a new group's first send.")] = (
        "30s"
    )
    group_interval: Annotated[
        Duration, Field(description="Wait before sending new alerts of a group.")
    ] = "5m"
    repeat_interval: Annotated[
        Duration, Field(description="Wait before resending a firing group.")
    ] = "4h"
    continue_matching: Annotated[
        bool, Field(description="Keep matching later routes (Alertmanager `continue`).")
    ] = False
    order: Annotated[int, Field(description="Routes are tried by order, then by name.")] = 100


class AlertRouteOutputs(Outputs):
    config_file: Annotated[
        str | None, Field(description="The Alertmanager configuration written.")
    ] = None
    alertmanager_url: Annotated[
        str | None, Field(description="The Alertmanager that loaded it.")
    ] = None
    config_check: Annotated[
        str | None, Field(description="What amtool said (or that it is missing).")
    ] = None
