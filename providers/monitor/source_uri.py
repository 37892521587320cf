"""Where a metric source's samples are: the ``uri`` a ``metric_source`` exports.

The URI is a self-contained address that monitors (and ``opspec monitor run``) use to read the
source without its spec::

    file:data/latency.csv?format=csv&labels=service&sha256=3f1a...&timestamp=ts&value=value
    prometheus+http://127.0.0.1:9090?query=rate(http_errors_total[5m])&step=60s
    (either may add label.NAME=VALUE: constant labels of every series)

A file's hash is part of its URI, so a monitor trained on it is retrained when the data change.
Parsing needs nothing heavy, so plans check a monitor's ``source`` with it; reading the samples
is :mod:`providers.monitor.jobs.series`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = ["SourceRef"]

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
