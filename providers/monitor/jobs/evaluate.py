"""Evaluating applied monitors against their sources: the heart of ``opspec monitor run``.

Each monitor type becomes alerts here: anomaly monitors score the samples after their
training cut-off with the stored detectors (a run of flagged samples is one alert); forecast
monitors fit the trend of the lookback window; drift monitors compare the current data with the
stored reference profile; threshold monitors are Prometheus's job, so their firing alerts are
read back from its API. A source that cannot be read (file missing, server down, query
rejected) is listed in ``unreadable`` with the reason and the evaluation goes on.

Time: a file is a recorded history whose "now" is its last sample; a Prometheus source's "now"
is the wall clock. ``since_s`` limits evaluation to the last ``since_s`` seconds before "now".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from providers.monitor.errors import MonitorError
from providers.monitor.incidents import Alert, iso_time
from providers.monitor.inventory import MonitorRecord
from providers.monitor.jobs.detectors import load_detector
from providers.monitor.jobs.detectors.events import runs
from providers.monitor.jobs.fit import load_artifact
from providers.monitor.jobs.series import Series, read_series, series_key
from providers.monitor.paths import resolve_data_path
from providers.monitor.promapi import PrometheusClient
from providers.monitor.source_uri import SourceRef
from specs.monitor import parse_duration

__all__ = ["EvalContext", "Evaluation", "evaluate_monitors"]

_PROMETHEUS_DEFAULT_SINCE_S = 3600.0


@dataclass(frozen=True)
class EvalContext:
    project_dir: str
    artifacts_dir: str
    now: float = field(default_factory=time.time)
    since_s: float | None = None


@dataclass
class Evaluation:
    alerts: list[Alert] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)

    def unreadable_source(self, monitor: str, source: str, url: str | None, error: str) -> None:
        self.unreadable.append({"monitor": monitor, "source": source, "url": url, "error": error})


def _window(ref: SourceRef, ctx: EvalContext, series: list[Series]) -> tuple[float, float]:
    """(start, end) of the evaluated span for a source read in full."""
    if ref.kind == "file":
        end = max((float(s.times[-1]) for s in series if len(s.times)), default=ctx.now)
        return (-np.inf if ctx.since_s is None else end - ctx.since_s), end
    return ctx.now - (ctx.since_s or _PROMETHEUS_DEFAULT_SINCE_S), ctx.now


def _fetch(ref: SourceRef, ctx: EvalContext, lead_s: float) -> tuple[list[Series], float, float]:
    if ref.kind == "file":
        series = read_series(ref, ctx.project_dir, None, None)
        start, end = _window(ref, ctx, series)
        return series, start, end
    start, end = _window(ref, ctx, [])
    return read_series(ref, ctx.project_dir, start - lead_s, end), start, end


def _anomaly(record: MonitorRecord, ctx: EvalContext, out: Evaluation) -> None:
    attrs = record.attrs
    document = load_artifact(ctx.artifacts_dir, str(attrs["detector_uri"]))
    models = {item["key"]: load_detector(item["model"]) for item in document["series"]}
    ref = SourceRef.from_uri(str(attrs["source"]))
    lead = max((m.context_size for m in models.values()), default=0) * parse_duration(ref.step)
    series_list, start, _ = _fetch(ref, ctx, lead)
    start = max(start, float(document["trained_until"]))
    for series in series_list:
        model = models.get(series_key(series.labels))
        first = int(np.searchsorted(series.times, start, side="right"))
        if model is None or first >= len(series.values):
            continue
        scores = model.score(series.values, first)
        for a, b in runs(scores > 1.0):
            peak = first + a + int(np.argmax(scores[a:b]))
            out.alerts.append(
                Alert(
                    monitor=record.address,
                    type="anomaly",
                    service=series.labels.get("service") or record.service,
                    at=float(series.times[first + a]),
                    until=float(series.times[first + b - 1]),
                    value=float(series.values[peak]),
                    score=float(scores[a:b].max()),
                    severity=record.severity,
                    summary=attrs.get("summary")
                    or f"{document['detector']} detector flagged {b - a} sample(s) of "
                    f"{series_key(series.labels)}",
                    labels=series.labels,
                )
            )


def _forecast(record: MonitorRecord, ctx: EvalContext, out: Evaluation) -> None:
    from providers.monitor.jobs.forecast import forecast_crossing

    attrs = record.attrs
    ref = SourceRef.from_uri(str(attrs["source"]))
    lookback = parse_duration(str(attrs.get("lookback") or "1d"))
    horizon = parse_duration(str(attrs.get("horizon") or "7d"))
    limit = float(attrs["limit"])
    above = attrs.get("direction", "above") == "above"
    fetch_ctx = EvalContext(ctx.project_dir, ctx.artifacts_dir, ctx.now, lookback)
    series_list, _, end = _fetch(ref, fetch_ctx, 0.0)
    for series in series_list:
        recent = series.between(end - lookback, end)
        if len(recent.values) < 3:
            continue
        fc = forecast_crossing(recent.times, recent.values, limit, above)
        if not fc.within(float(recent.times[-1]), horizon):
            continue
        crossing = float(fc.crossing_at or recent.times[-1])
        out.alerts.append(
            Alert(
                monitor=record.address,
                type="forecast",
                service=series.labels.get("service") or record.service,
                at=float(recent.times[-1]),
                value=fc.latest,
                severity=record.severity,
                summary=attrs.get("summary")
                or f"{series_key(series.labels)} reaches {limit:g} by {iso_time(crossing)}",
                labels=series.labels,
                details={
                    "limit": limit,
                    "crossing_at": iso_time(crossing),
                    "trend_per_hour": round(fc.slope_per_hour, 6),
                    "residual_std": round(fc.residual_std, 6),
                },
            )
        )


def _drift(record: MonitorRecord, ctx: EvalContext, out: Evaluation) -> None:
    from providers.monitor.jobs.drift import FeatureProfile, compare
    from providers.monitor.jobs.fit import read_table

    attrs = record.attrs
    document = load_artifact(ctx.artifacts_dir, str(attrs["detector_uri"]))
    current = read_table(ctx.project_dir, str(attrs["current"]))
    # The current data are as of their last change, so runs give the same alert time.
    as_of = resolve_data_path(ctx.project_dir, str(attrs["current"])).stat().st_mtime
    limits = attrs.get("thresholds") or {}
    for feature, saved in sorted(document["features"].items()):
        if feature not in current.columns:
            raise MonitorError(f"{attrs['current']}: no column {feature!r}")
        result = compare(
            feature,
            FeatureProfile.from_json(saved),
            current[feature].to_numpy(dtype=float),
            float(limits.get("psi", 0.2)),
            float(limits.get("ks", 0.1)),
        )
        if not result.drifted:
            continue
        out.alerts.append(
            Alert(
                monitor=record.address,
                type="drift",
                service=record.service,
                at=as_of,
                value=round(result.psi, 4),
                severity=record.severity,
                summary=attrs.get("summary")
                or f"feature {feature} drifted ({', '.join(result.drifted)} over threshold)",
                details={
                    "feature": feature,
                    "psi": round(result.psi, 4),
                    "ks": round(result.ks, 4),
                    "ks_pvalue": float(f"{result.ks_pvalue:.3g}"),
                },
            )
        )


def _parse_rfc3339(text: str) -> float:
    # Prometheus writes nanoseconds; Python's parser takes up to microseconds.
    head, dot, tail = text.rstrip("Z").partition(".")
    frac = (dot + "".join(c for c in tail if c.isdigit())[:6]) if dot else ""
    return datetime.fromisoformat(head + frac + "+00:00").timestamp()


def _thresholds(records: list[MonitorRecord], out: Evaluation) -> None:
    by_url: dict[str, list[MonitorRecord]] = {}
    for record in records:
        url = record.attrs.get("prometheus_url")
        if url:
            by_url.setdefault(str(url), []).append(record)
    for url, group in sorted(by_url.items()):
        known = {r.address: r for r in group}
        try:
            firing = PrometheusClient(url).alerts()
        except MonitorError as exc:
            for record in group:
                out.unreadable_source(record.address, f"{url} (firing alerts)", url, str(exc))
            continue
        for item in firing:
            labels = {k: str(v) for k, v in (item.get("labels") or {}).items()}
            owner = known.get(labels.get("opspec_monitor", ""))
            if owner is None or item.get("state") != "firing":
                continue
            out.alerts.append(
                Alert(
                    monitor=owner.address,
                    type="threshold",
                    service=labels.get("service") or owner.service,
                    at=_parse_rfc3339(str(item.get("activeAt"))),
                    value=float(item["value"]) if item.get("value") is not None else None,
                    severity=labels.get("severity", owner.severity),
                    summary=(item.get("annotations") or {}).get("summary", ""),
                    labels=labels,
                )
            )


_EVALUATORS = {"anomaly": _anomaly, "forecast": _forecast, "drift": _drift}


def _source_of(record: MonitorRecord) -> tuple[str, str | None]:
    attrs = record.attrs
    if record.type == "drift":
        return str(attrs.get("current")), None
    try:
        ref = SourceRef.from_uri(str(attrs.get("source")))
    except ValueError:
        return str(attrs.get("source")), None
    return ref.display, (ref.url or None)


def evaluate_monitors(records: list[MonitorRecord], ctx: EvalContext) -> Evaluation:
    out = Evaluation()
    _thresholds([r for r in records if r.type == "threshold"], out)
    for record in records:
        evaluator = _EVALUATORS.get(record.type)
        if evaluator is None:
            continue
        try:
            evaluator(record, ctx, out)
        except (MonitorError, OSError, ValueError) as exc:
            source, url = _source_of(record)
            out.unreadable_source(record.address, source, url, str(exc))
    out.alerts.sort(key=lambda a: (a.at, a.monitor))
    return out
