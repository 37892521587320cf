"""Metric series read from a source (:mod:`providers.monitor.source_uri`): CSV/Parquet files
through pandas, Prometheus range queries, both as numpy arrays of times and values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from providers.monitor.errors import SourceReadError
from providers.monitor.jobs.detectors.base import Array
from providers.monitor.paths import resolve_data_path
from providers.monitor.promapi import PrometheusClient
from providers.monitor.source_uri import SourceRef
from specs.monitor import parse_duration

__all__ = ["Series", "count_file_series", "read_file_series", "read_series", "series_key"]

_MAX_POINTS = 11_000  # Prometheus's limit per series and query


@dataclass
class Series:
    """One series: its labels, times (epoch seconds, ascending) and values."""

    labels: dict[str, str]
    times: Array
    values: Array

    def between(self, start: float | None, end: float | None) -> Series:
        keep = np.ones(len(self.times), dtype=bool)
        if start is not None:
            keep &= self.times > start
        if end is not None:
            keep &= self.times <= end
        return Series(self.labels, self.times[keep], self.values[keep])


def series_key(labels: dict[str, str]) -> str:
    """A stable name for a label set, e.g. ``{region="eu",service="api"}``."""
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def _epoch_seconds(column: Any) -> Array:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column):
        return np.asarray(column, dtype=np.float64)
    parsed = pd.to_datetime(column, utc=True, format="ISO8601")
    # Resolution-independent (pandas may parse to s, ms, us or ns units).
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return np.asarray(seconds, dtype=np.float64)


def _read_frame(location: Path, fmt: str) -> Any:
    import pandas as pd

    if fmt == "parquet":
        return pd.read_parquet(location)
    return pd.read_csv(location)


def read_file_series(project_dir: str, ref: SourceRef) -> list[Series]:
    """The series of a CSV/Parquet file, one per combination of its label columns."""
    frame = _read_frame(resolve_data_path(project_dir, ref.path), ref.format)
    needed = [ref.timestamp_column, ref.value_column, *ref.label_columns]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise SourceReadError(f"{ref.path}: no column {', '.join(missing)}")
    try:
        times = _epoch_seconds(frame[ref.timestamp_column])
    except (ValueError, TypeError) as exc:
        raise SourceReadError(f"{ref.path}: unreadable timestamps ({exc})") from exc
    values = np.asarray(frame[ref.value_column], dtype=np.float64)
    if not ref.label_columns:
        order = np.argsort(times, kind="stable")
        return [Series(dict(ref.labels), times[order], values[order])]
    keys = frame[list(ref.label_columns)].astype(str)
    out = []
    for key, rows in sorted(keys.groupby(list(ref.label_columns), sort=False).indices.items()):
        key_tuple = key if isinstance(key, tuple) else (key,)
        order = rows[np.argsort(times[rows], kind="stable")]
        labels = {**ref.labels, **dict(zip(ref.label_columns, key_tuple, strict=True))}
        out.append(Series(labels, times[order], values[order]))
    return out


def _aligned_ranges(start: float, end: float, step: float) -> list[tuple[float, float]]:
    """Ranges on the grid of multiples of ``step``, each within Prometheus's point limit.

    Aligning to the epoch puts samples of every query (training at apply, scoring later) at
    the same phase of a cycle, so a detector never sees a shifted copy of a normal shape.
    """
    first = math.ceil(start / step) * step
    last = math.floor(end / step) * step
    ranges = []
    while first <= last:
        stop = min(last, first + (_MAX_POINTS - 1) * step)
        ranges.append((first, stop))
        first = stop + step
    return ranges


def read_prometheus_series(ref: SourceRef, start: float, end: float) -> list[Series]:
    """The series a range query returns, with the source's constant labels added."""
    step = parse_duration(ref.step)
    client = PrometheusClient(ref.url)
    samples: dict[tuple[tuple[str, str], ...], list[tuple[float, float]]] = {}
    for begin, stop in _aligned_ranges(start, end, step):
        for item in client.query_range(ref.query, begin, stop, step):
            metric = {k: str(v) for k, v in item.get("metric", {}).items()}
            key = tuple(sorted({**ref.labels, **metric}.items()))
            samples.setdefault(key, []).extend((float(t), float(v)) for t, v in item["values"])
    out = []
    for key, points in sorted(samples.items()):
        points.sort()
        out.append(
            Series(
                dict(key),
                np.asarray([t for t, _ in points], dtype=np.float64),
                np.asarray([v for _, v in points], dtype=np.float64),
            )
        )
    return out


def read_series(
    ref: SourceRef, project_dir: str, start: float | None, end: float | None
) -> list[Series]:
    """The samples of ``ref`` in ``(start, end]`` (None: unbounded for files)."""
    if ref.kind == "file":
        return [s.between(start, end) for s in read_file_series(project_dir, ref)]
    import time

    stop = time.time() if end is None else end
    begin = stop - 3600.0 if start is None else start
    return read_prometheus_series(ref, begin, stop)


def count_file_series(project_dir: str, source_uri: str) -> dict[str, int]:
    """Job of a file ``metric_source``'s create: the series and samples the file holds (reading
    them all proves its columns and timestamps readable before any monitor trains on it)."""
    series = read_file_series(project_dir, SourceRef.from_uri(source_uri))
    return {"series": len(series), "samples": sum(len(s.values) for s in series)}
