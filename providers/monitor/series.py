"""Metric series and where they come from: source URIs, file readers, Prometheus queries.

A ``metric_source`` resource exports ``uri``, a self-contained address that monitors (and
``opspec monitor run``) use to read it without the source's spec::

    file:data/latency.csv?format=csv&labels=service&sha256=3f1a...&timestamp=ts&value=value
    prometheus+http://127.0.0.1:9090?query=rate(http_errors_total[5m])&step=60s
    (either may add label.NAME=VALUE: constant labels of every series)

A file's hash is part of its URI, so a monitor trained on it is retrained when the data change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from providers.monitor.detectors.base import Array
from providers.monitor.errors import SourceReadError
from providers.monitor.paths import resolve_data_path
from providers.monitor.promapi import PrometheusClient
from specs.monitor import parse_duration

__all__ = ["Series", "SourceRef", "read_series", "series_key"]

_MAX_POINTS = 11_000  # Prometheus's limit per series and query
_PROM_SCHEMES = {"prometheus+http": "http", "prometheus+https": "https"}


@dataclass(frozen=True)
class SourceRef:
    """A metric source as monitors see it (parsed from, and printed as, its URI)."""

    kind: str  # "file" | "prometheus"
    path: str = ""
    format: str = "csv"
    sha256: str = ""
    timestamp_column: str = "timestamp"
    value_column: str = "value"
    label_columns: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    url: str = ""
    query: str = ""
    step: str = "60s"

    def to_uri(self) -> str:
        const = {f"label.{k}": v for k, v in sorted(self.labels.items())}
        if self.kind == "file":
            params = {
                "format": self.format,
                "labels": ",".join(self.label_columns),
                "sha256": self.sha256,
                "timestamp": self.timestamp_column,
                "value": self.value_column,
                **const,
            }
            return f"file:{self.path}?{urlencode({k: v for k, v in params.items() if v})}"
        scheme, _, rest = self.url.partition("://")
        query = urlencode({"query": self.query, "step": self.step, **const})
        return f"prometheus+{scheme}://{rest.rstrip('/')}?{query}"

    @classmethod
    def from_uri(cls, uri: str) -> SourceRef:
        parts = urlsplit(uri)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        labels = {k[6:]: v for k, v in params.items() if k.startswith("label.")}
        if parts.scheme == "file":
            return cls(
                kind="file",
                path=parts.path,
                format=params.get("format", "csv"),
                sha256=params.get("sha256", ""),
                timestamp_column=params.get("timestamp", "timestamp"),
                value_column=params.get("value", "value"),
                label_columns=tuple(c for c in params.get("labels", "").split(",") if c),
                labels=labels,
            )
        if parts.scheme in _PROM_SCHEMES and params.get("query"):
            url = f"{_PROM_SCHEMES[parts.scheme]}://{parts.netloc}{parts.path}".rstrip("/")
            return cls(
                kind="prometheus",
                url=url,
                query=params["query"],
                step=params.get("step", "60s"),
                labels=labels,
            )
        raise ValueError(f"not a metric source URI: {uri!r} (use ${{metric_source.NAME.uri}})")

    @property
    def display(self) -> str:
        """How reports name the source: the file, or the server and query."""
        return self.path if self.kind == "file" else f"{self.url} ({self.query})"


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
