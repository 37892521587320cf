"""Spec models of the monitors family: what to watch, who owns it and where alerts go.

Four kinds of resources, one module each:

- ``metric_source`` (:mod:`.source`): where a metric's history comes from, a file in the
  project or a Prometheus server; one model per ``kind``.
- ``monitor`` (:mod:`.monitor`): one model per ``type`` (``threshold``, ``anomaly``,
  ``forecast``, ``drift``).
- ``service_topology`` (:mod:`.topology`): services, their owners and dependencies.
- ``alert_route`` (:mod:`.route`): Alertmanager-style matchers sending alerts to a receiver.

A resource whose fields depend on its ``type``/``kind`` is a pydantic discriminated union of
one model per kind, so a field of another kind is a validation error at its YAML position
("`limit` does not apply to threshold monitors"). Durations, timestamps and data paths
shared by all of them are in :mod:`.values`.
"""

from __future__ import annotations

from specs.monitor.monitor import (
    AnomalyMonitorSpec,
    DetectorName,
    Direction,
    DriftMonitorSpec,
    DriftThresholds,
    ForecastMonitorSpec,
    MonitorOutputs,
    MonitorSpec,
    MonitorType,
    ThresholdMonitorSpec,
)
from specs.monitor.route import AlertRouteOutputs, AlertRouteSpec
from specs.monitor.source import (
    FileFormat,
    FileSourceSpec,
    MetricSourceKind,
    MetricSourceOutputs,
    MetricSourceSpec,
    PrometheusSourceSpec,
)
from specs.monitor.topology import ServiceSpec, ServiceTopologyOutputs, ServiceTopologySpec
from specs.monitor.values import (
    DataPath,
    Duration,
    Timestamp,
    format_duration,
    parse_duration,
    parse_timestamp,
)

__all__ = [
    "AlertRouteOutputs",
    "AlertRouteSpec",
    "AnomalyMonitorSpec",
    "DataPath",
    "DetectorName",
    "Direction",
    "DriftMonitorSpec",
    "DriftThresholds",
    "Duration",
    "FileFormat",
    "FileSourceSpec",
    "ForecastMonitorSpec",
    "MetricSourceKind",
    "MetricSourceOutputs",
    "MetricSourceSpec",
    "MonitorOutputs",
    "MonitorSpec",
    "MonitorType",
    "PrometheusSourceSpec",
    "ServiceSpec",
    "ServiceTopologyOutputs",
    "ServiceTopologySpec",
    "ThresholdMonitorSpec",
    "Timestamp",
    "format_duration",
    "parse_duration",
    "parse_timestamp",
]
