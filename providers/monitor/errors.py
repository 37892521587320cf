"""Exceptions of the monitors family (user mistakes found by ``check`` are CheckFailures).

The hierarchy::

    engine.errors.OpspecError
    └── MonitorError               anything the monitors family raises on purpose
        ├── ServiceUnreachable     Prometheus/Alertmanager did not answer (names the URL)
        ├── ServiceRejected        it answered with an error: bad PromQL, a config it refused
        ├── PrometheusConfigError  the server's configuration file is not YAML opspec can edit
        ├── SourceReadError        a metric source's data cannot be read
        ├── SeriesFileError        a CSV given to `monitor detect` is no timestamp,value series
        ├── NotEnoughData          a history too short to fit a detector
        ├── MatcherSyntaxError     a matcher Alertmanager would refuse
        ├── RouteConflictError     routes that give one receiver two webhook URLs
        ├── ToolMissing            promtool/amtool is not installed (callers warn)
        └── ToolRejected           promtool/amtool refused a rendered file
"""

from __future__ import annotations

from engine.errors import OpspecError

__all__ = [
    "MatcherSyntaxError",
    "MonitorError",
    "NotEnoughData",
    "PrometheusConfigError",
    "RouteConflictError",
    "SeriesFileError",
    "ServiceRejected",
    "ServiceUnreachable",
    "SourceReadError",
    "ToolMissing",
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


class PrometheusConfigError(MonitorError):
    """The Prometheus configuration file opspec adds ``rule_files`` to cannot be read as YAML
    (or breaks the loader's bounds); the message names ``file:line:col``."""


class SourceReadError(MonitorError):
    """A metric source's data cannot be read (missing file, bad column, bad timestamp)."""


class SeriesFileError(MonitorError):
    """The CSV given to ``opspec monitor detect`` is not a readable ``timestamp,value`` series."""


class NotEnoughData(MonitorError):
    """The history is too short to fit a detector."""


class MatcherSyntaxError(MonitorError):
    """A matcher string that Alertmanager would refuse."""


class RouteConflictError(MonitorError):
    """Two routes name one receiver with different webhook URLs."""


class ToolMissing(MonitorError):
    """The checking tool (promtool, amtool) is not on PATH."""


class ToolRejected(MonitorError):
    """promtool or amtool refused a rendered file; the message is the tool's."""
