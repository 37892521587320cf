"""``metric_source``: where a metric's history comes from, one model per ``kind``.

A ``file`` source is a CSV/Parquet file in the project (timestamp, value and label columns);
a ``prometheus`` source is a PromQL range query against a server.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from specs.base import ForceNew, KindSpec, Outputs
from specs.monitor.values import DataPath, Duration

__all__ = [
    "FileFormat",
    "FileSourceSpec",
    "MetricSourceKind",
    "MetricSourceOutputs",
    "MetricSourceSpec",
    "PrometheusSourceSpec",
]


class MetricSourceKind(StrEnum):
    FILE = "file"
    PROMETHEUS = "prometheus"


class FileFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class _SourceKind(KindSpec):
    """Fields every kind of source has."""

    plural: ClassVar[str] = "sources"

    kind: Annotated[
        MetricSourceKind,
        ForceNew(),
        Field(description="`file` (CSV/Parquet in the project) or `prometheus` (PromQL)."),
    ]
    labels: Annotated[
        dict[str, str], Field(description="Labels added to every series of this source.")
    ] = Field(default_factory=dict)


class FileSourceSpec(_SourceKind):
    """Samples read from a CSV or Parquet file in the project."""

    kind: Annotated[Literal[MetricSourceKind.FILE], ForceNew(), Field(description="`file`.")]
    path: Annotated[
        DataPath, Field(description="The CSV or Parquet file, relative to the project.")
    ]
    format: Annotated[
        FileFormat | None, Field(description="csv or parquet (default: from the suffix).")
    ] = None
    timestamp_column: Annotated[
        str, Field(description="The column of ISO 8601 timestamps or epoch seconds.")
    ] = "timestamp"
    value_column: Annotated[str, Field(description="The column of values.")] = "value"
    label_columns: Annotated[
        list[str], Field(description="Columns whose values tell series apart (e.g. `service`).")
    ] = Field(default_factory=list)


class PrometheusSourceSpec(_SourceKind):
    """Samples of a PromQL range query."""

    kind: Annotated[
        Literal[MetricSourceKind.PROMETHEUS], ForceNew(), Field(description="`prometheus`.")
    ]
    url: Annotated[
        str | None, Field(description="Base URL (default: `providers.prometheus.url`).")
    ] = None
    query: Annotated[str, Field(description="The PromQL expression.")]
    step: Annotated[Duration, Field(description="Resolution of range queries.")] = "60s"


MetricSourceSpec = Annotated[FileSourceSpec | PrometheusSourceSpec, Field(discriminator="kind")]
"""Where a metric's samples come from: a file or a Prometheus query, told apart by ``kind``."""


class MetricSourceOutputs(Outputs):
    uri: Annotated[
        str, Field(description="Self-contained address of the source, for monitors to read it.")
    ] = ""
    sha256: Annotated[str | None, Field(description="file: content hash of the data.")] = None
    series: Annotated[int | None, Field(description="Number of series found at apply.")] = None
    samples: Annotated[int | None, Field(description="Number of samples found at apply.")] = None
