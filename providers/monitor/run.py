"""One evaluation round of ``opspec monitor run``: evaluate, correlate, report, deliver.

:func:`run_once` takes the applied resources (records from state) and returns a
:class:`Report`; the CLI only reads state and prints. Alerts opspec computed itself (anomaly,
forecast, drift) are pushed to the Alertmanager the alert routes were applied to, labelled
with their incident and its root cause; threshold alerts are not, Prometheus sends those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from providers.monitor.incidents import Incident, correlate, iso_time
from providers.monitor.inventory import Inventory, ResourceLike, build_inventory
from providers.monitor.jobs.detectors.base import single_threaded_blas
from providers.monitor.jobs.evaluate import EvalContext, evaluate_monitors
from providers.monitor.promapi import AlertmanagerClient
from providers.monitor.rules import alert_name_for

__all__ = ["Report", "format_text", "push_alerts", "run_once"]


@dataclass
class Report:
    incidents: list[Incident]
    unreadable: list[dict[str, Any]]
    inventory: Inventory = field(default_factory=Inventory)

    def to_json(self) -> dict[str, Any]:
        return {
            "incidents": [i.to_json() for i in self.incidents],
            "unreadable_sources": self.unreadable,
        }


def run_once(resources: Mapping[str, ResourceLike], ctx: EvalContext) -> Report:
    inventory = build_inventory(resources)
    with single_threaded_blas():
        evaluation = evaluate_monitors(inventory.monitors, ctx)
    incidents = correlate(evaluation.alerts, inventory.topology, inventory.routes)
    return Report(incidents, evaluation.unreadable, inventory)


def _payload(incident: Incident) -> list[dict[str, Any]]:
    out = []
    for alert in incident.alerts:
        if alert.type == "threshold":
            continue
        labels = {
            **alert.labels,
            "alertname": alert_name_for(alert.monitor),
            "opspec_monitor": alert.monitor,
            "severity": alert.severity,
            "incident": incident.id,
        }
        if alert.service:
            labels["service"] = alert.service
        if incident.root_cause:
            labels["root_cause"] = incident.root_cause
        out.append(
            {
                "labels": labels,
                "annotations": {"summary": alert.summary, "evidence": "\n".join(incident.evidence)},
                "startsAt": iso_time(alert.at),
            }
        )
    return out


def push_alerts(report: Report) -> list[str]:
    """Send the report's computed alerts to each Alertmanager; returns delivery errors."""
    alerts = [a for i in report.incidents for a in _payload(i)]
    errors: list[str] = []
    if not alerts:
        return errors
    for url in report.inventory.alertmanager_urls:
        try:
            AlertmanagerClient(url).push(alerts)
        except Exception as exc:
            errors.append(str(exc))
    return errors


def _value(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def format_text(report: Report) -> str:
    lines = []
    if not report.incidents:
        lines.append("No incidents.")
    for incident in report.incidents:
        head = incident.root_cause or "(no service)"
        lines.append(
            f"Incident {incident.id}: root cause {head}, owner {incident.owner or '-'}, "
            f"route {incident.route}, {len(incident.alerts)} alert(s)"
        )
        for alert in incident.alerts:
            score = f" score {alert.score:.2f}" if alert.score is not None else ""
            details = "".join(f" {k}={_value(v)}" for k, v in alert.details.items())
            lines.append(
                f"  {iso_time(alert.at)}  {alert.service or '-':12} {alert.type:9} "
                f"{alert.monitor}  value {_value(alert.value)}{score}  {alert.summary}"
                + (f" ({details.strip()})" if details else "")
            )
        lines.extend(f"  evidence: {line}" for line in incident.evidence)
    if report.unreadable:
        lines.append("Unreadable sources:")
        lines.extend(f"  {u['monitor']}: {u['source']}: {u['error']}" for u in report.unreadable)
    return "\n".join(lines)
