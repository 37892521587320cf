"""Exceptions of the monitors family (user mistakes found by ``check`` are CheckFailures).

The hierarchy::

    engine.errors.OpspecError
    └── MonitorError               anything the monitors family raises on purpose
        ├── ServiceUnreachable     Prometheus/Alertmanager did not answer (names the URL)
        ├── ServiceRejected        it answered with an error: bad PromQL, a config it refused
        ├── SourceReadError        a metric source's data cannot be read
        └── ToolRejected           promtool/amtool refused a rendered file
"""

from __future__ import annotations

from engine.errors import OpspecError

__all__ = [
    "MonitorError",
    "ServiceRejected",
    "ServiceUnreachable",
    "SourceReadError",
    "ToolRejected",
]


class MonitorError(OpspecError):
    """Root of the monitors family's exceptions."""


class ServiceUnreachable(MonitorError):
    """A server did not answer; the message names its URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach {url}: {reason}")
        self.url = url
        self.reason = reason


class ServiceRejected(MonitorError):
    """A server answered with an error (e.g. PromQL it cannot parse)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url} rejected the request: {reason}")
        self.url = url
        self.reason = reason


class SourceReadError(MonitorError):
    """A metric source's data cannot be read (missing file, bad column, bad timestamp)."""


class ToolRejected(MonitorError):
    """promtool or amtool refused a rendered file; the message is the tool's."""
