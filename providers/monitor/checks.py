"""Plan-time checks of monitor specs beyond their schema (no side effects, no user code).

Which fields each monitor type has is the schema's (one model per type in
:mod:`specs.monitor`); these checks judge the values.

Each failure names the most precise property (``expr``, ``labels.team``, ``features.2``) so
the engine can point at the YAML line. Running ``promtool`` here is allowed: it only parses
the rendered text in a temporary folder.
"""

from __future__ import annotations

import csv
import re

from engine.providers import CheckFailure
from providers.monitor.errors import SourceReadError, ToolMissing
from providers.monitor.paths import resolve_data_path
from providers.monitor.rules import LABEL_NAME, METRIC_NAME, promql_expression, render_rule_group
from providers.monitor.source_uri import SourceRef
from providers.monitor.tools import check_rules
from specs.gates import Comparison
from specs.monitor import (
    AnomalyMonitorSpec,
    DriftMonitorSpec,
    ForecastMonitorSpec,
    MonitorType,
    ThresholdMonitorSpec,
)

__all__ = ["drift", "promql", "source", "threshold"]


def _label_failures(field: str, names: dict[str, str]) -> list[CheckFailure]:
    return [
        CheckFailure(f"{field}.{name}", f"invalid label name {name!r}: use [a-zA-Z_][a-zA-Z0-9_]*")
        for name in names
        if not LABEL_NAME.match(name)
    ]


def threshold(spec: ThresholdMonitorSpec, address: str) -> list[CheckFailure]:
    if (spec.expr is None) == (spec.metric is None):
        return [CheckFailure("expr", "threshold monitors need exactly one of `expr` or `metric`")]
    failures = _label_failures("labels", spec.labels) + _label_failures(
        "annotations", spec.annotations
    )
    if spec.alert is not None and not METRIC_NAME.match(spec.alert):
        failures.append(CheckFailure("alert", f"invalid alert name {spec.alert!r}"))
    if failures:
        return failures
    try:
        refusal = check_rules(render_rule_group(spec, address).text)
    except ToolMissing:
        return []  # reported as a warning when the rule is applied
    if refusal:
        field = "expr" if spec.expr is not None else "metric"
        expr = promql_expression(spec)
        return [CheckFailure(field, f"promtool: {_reason(refusal)} (in the rule's `{expr}`)")]
    return []


def _reason(refusal: str) -> str:
    """promtool's message without the positions in its temporary file."""
    if "could not parse expression:" in refusal:
        refusal = refusal.split("could not parse expression:", 1)[1].strip()
        refusal = re.sub(r"^\d+:\d+: ", "", refusal)
    return refusal


def promql(query: str) -> str | None:
    """promtool's complaint about a PromQL expression, or None (also when not installed)."""
    probe = ThresholdMonitorSpec(
        type=MonitorType.THRESHOLD, expr=query, comparison=Comparison.GT, value=0
    )
    try:
        refusal = check_rules(render_rule_group(probe, "metric_source.probe").text)
    except ToolMissing:
        return None
    return _reason(refusal) if refusal else None


def source(spec: AnomalyMonitorSpec | ForecastMonitorSpec) -> list[CheckFailure]:
    try:
        SourceRef.from_uri(str(spec.source))
    except ValueError as exc:
        return [CheckFailure("source", str(exc))]
    return []


def _columns(project_dir: str, path: str) -> list[str] | None:
    location = resolve_data_path(project_dir, path)
    if location.suffix.lower() in {".parquet", ".pq"}:
        return None  # read at apply: reading a Parquet schema needs pyarrow
    with location.open(newline="") as handle:
        return next(csv.reader(handle), [])


def drift(spec: DriftMonitorSpec, project_dir: str) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    headers: dict[str, list[str] | None] = {}
    for field in ("reference", "current"):
        try:
            headers[field] = _columns(project_dir, str(getattr(spec, field)))
        except (SourceReadError, OSError) as exc:
            failures.append(CheckFailure(field, str(exc)))
    for index, feature in enumerate(spec.features or []):
        for field, columns in headers.items():
            if columns is not None and feature not in columns:
                failures.append(
                    CheckFailure(f"features.{index}", f"no column {feature!r} in the {field} data")
                )
    return failures
