"""Threshold monitors as Prometheus alerting rules: naming, rendering (Jinja2) and checking.

Each threshold monitor owns one rule file holding one group with one alerting rule, so
resources never share a file. The rendering is a pure function of the spec and the address:
``diff`` renders again and compares hashes with what is on disk, which is how an edit made to
the file outside opspec shows up in the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.hashing import sha256_bytes
from providers.monitor.rendering import environment
from specs.monitor import ThresholdMonitorSpec

__all__ = [
    "LABEL_NAME",
    "METRIC_NAME",
    "RenderedRule",
    "alert_name",
    "alert_name_for",
    "promql_expression",
    "render_rule_group",
    "resource_slug",
]

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class RenderedRule:
    group: str
    alert: str
    expr: str
    text: str

    @property
    def sha256(self) -> str:
        return sha256_bytes(self.text.encode())


def resource_slug(address: str) -> str:
    """The resource's name part as a file-name-safe word: ``monitor.x["a b"]`` -> ``x_a_b``."""
    name = address.split(".", 1)[1] if "." in address else address
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "monitor"


def alert_name_for(address: str) -> str:
    """The resource name in CamelCase: ``monitor.api_errors`` -> ``ApiErrors``."""
    words = re.split(r"[^A-Za-z0-9]+", resource_slug(address))
    name = "".join(w[:1].upper() + w[1:] for w in words if w)
    return name if METRIC_NAME.match(name) else f"Alert{name}"


def alert_name(spec: ThresholdMonitorSpec, address: str) -> str:
    """The spec's ``alert``, or :func:`alert_name_for` the address."""
    return spec.alert or alert_name_for(address)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def promql_expression(spec: ThresholdMonitorSpec) -> str:
    """``metric OP value``, or ``(expr) OP value`` when a whole expression is given."""
    base = spec.metric if spec.expr is None else f"({spec.expr})"
    return f"{base} {spec.comparison.value} {_number(spec.value)}"


def render_rule_group(spec: ThresholdMonitorSpec, address: str) -> RenderedRule:
    alert = alert_name(spec, address)
    group = f"opspec.{resource_slug(address)}"
    labels = {"severity": spec.severity, "opspec_monitor": address, **spec.labels}
    if spec.service:
        labels["service"] = spec.service
    annotations = dict(spec.annotations)
    annotations.setdefault(
        "summary",
        spec.summary
        or f"{alert}{' on ' + spec.service if spec.service else ''}: value {{{{ $value }}}}",
    )
    expr = promql_expression(spec)
    text = (
        environment()
        .get_template("rule_group.yml.j2")
        .render(
            address=address,
            group=group,
            alert=alert,
            expr=expr,
            duration=spec.duration,
            labels=labels,
            annotations=annotations,
        )
    )
    return RenderedRule(group, alert, expr, text)
