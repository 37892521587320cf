"""`monitor run` logic over applied records: incidents from files, unreadable servers, pushes."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from monitor_data import write_latency_csv

from engine.providers import Provider, ProviderContext
from providers.monitor.alert_route import AlertRouteProvider
from providers.monitor.jobs.evaluate import EvalContext
from providers.monitor.metric_source import MetricSourceProvider
from providers.monitor.monitor import MonitorProvider
from providers.monitor.run import format_text, push_alerts, run_once
from providers.monitor.service_topology import ServiceTopologyProvider

Ctx = Callable[..., ProviderContext]


@dataclass
class Record:
    type: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _apply(
    records: dict[str, Record], provider: Provider, address: str, news: dict[str, Any]
) -> dict[str, Any]:
    checked = provider.check({}, news)
    assert checked.failures == [], checked.failures
    outs = dict(provider.create(checked.inputs).outs)
    records[address] = Record(provider.type_name, dict(checked.inputs), outs)
    return outs


def _shop(project: Path, make_ctx: Ctx) -> dict[str, Record]:
    write_latency_csv(
        project / "data" / "latency.csv", incident={"db": 200, "api": 201, "web": 202}
    )
    records: dict[str, Record] = {}
    source = _apply(
        records,
        MetricSourceProvider(make_ctx("metric_source.latency")),
        "metric_source.latency",
        {"kind": "file", "path": "data/latency.csv", "label_columns": ["service"]},
    )
    _apply(
        records,
        MonitorProvider(make_ctx("monitor.latency")),
        "monitor.latency",
        {
            "type": "anomaly",
            "source": source["uri"],
            "train_until": "2024-05-01T03:00:00Z",
            "severity": "critical",
        },
    )
    _apply(
        records,
        ServiceTopologyProvider(make_ctx("service_topology.shop")),
        "service_topology.shop",
        {
            "services": {
                "web": {"owner": "web-team", "depends_on": ["api"]},
                "api": {"owner": "api-team", "depends_on": ["db"]},
                "db": {"owner": "data-team"},
            }
        },
    )
    _apply(
        records,
        AlertRouteProvider(make_ctx("alert_route.data")),
        "alert_route.data",
        {"matchers": ['team="data-team"'], "receiver": "data-oncall"},
    )
    return records


def _ctx(project: Path, **kwargs: Any) -> EvalContext:
    return EvalContext(str(project), str(project / ".opspec" / "artifacts"), **kwargs)


def test_file_data_gives_one_incident_rooted_at_the_database(project: Path, make_ctx: Ctx) -> None:
    report = run_once(_shop(project, make_ctx), _ctx(project))
    assert report.unreadable == []
    [incident] = report.incidents
    assert (incident.root_cause, incident.owner, incident.route) == (
        "db",
        "data-team",
        "data-oncall",
    )
    assert [(a.service, a.type) for a in incident.alerts] == [
        ("db", "anomaly"),
        ("api", "anomaly"),
        ("web", "anomaly"),
    ]
    assert incident.alerts[0].to_json()["at"] == "2024-05-01T03:20:00Z"
    assert "root cause db" in format_text(report)
    # --since limits the span: the last hour of the file holds no anomaly.
    assert run_once(_shop(project, make_ctx), _ctx(project, since_s=3600.0)).incidents == []


def test_a_down_prometheus_is_listed_not_fatal(project: Path, make_ctx: Ctx) -> None:
    records = _shop(project, make_ctx)
    url = f"http://127.0.0.1:{_closed_port()}"
    records["monitor.queue"] = Record(
        "monitor",
        {"type": "threshold", "metric": "q", "comparison": ">", "value": 1},
        {"prometheus_url": url, "group": "opspec.queue"},
    )
    source = f"prometheus+{url}?query=up&step=60s"
    records["monitor.trend"] = Record(
        "monitor", {"type": "forecast", "limit": 5.0, "source": source}
    )
    report = run_once(records, _ctx(project))
    assert len(report.incidents) == 1
    assert {u["monitor"] for u in report.unreadable} == {"monitor.queue", "monitor.trend"}
    assert all(url in u["error"] for u in report.unreadable)
    assert all(u["url"] == url for u in report.unreadable)
    text = format_text(report)
    assert "Unreadable sources:" in text and url in text


def test_undeliverable_alerts_are_reported(project: Path, make_ctx: Ctx) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    records = _shop(project, make_ctx)
    # As if the route had been applied while the server was up.
    records["alert_route.data"].outputs["alertmanager_url"] = url
    report = run_once(records, _ctx(project))
    assert report.inventory.alertmanager_urls == [url]
    [problem] = push_alerts(report)
    assert url in problem


def test_route_apply_fails_naming_a_down_alertmanager(project: Path, make_ctx: Ctx) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    provider = AlertRouteProvider(make_ctx("alert_route.x", {"alertmanager": {"url": url}}))
    checked = provider.check({}, {"receiver": "r"})
    from providers.monitor.errors import ServiceUnreachable

    with pytest.raises(ServiceUnreachable, match=url):
        provider.create(checked.inputs)
    config = project / ".opspec" / "alertmanager" / "routes.d" / "x.json"
    assert not config.exists()  # all-or-nothing
