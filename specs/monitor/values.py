"""Values monitor specs share: Prometheus durations, timestamps and data file paths."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator

from specs.core import normalize_project_path

__all__ = [
    "DataPath",
    "Duration",
    "Timestamp",
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
