"""Threshold monitors on a real Prometheus and routes on a real Alertmanager, end to end.

The test runs an exporter (prometheus_client) on a free port, starts Prometheus scraping it
every second and Alertmanager, and applies a project through the CLI: Prometheus loads the
rendered rules (opspec adds them to ``rule_files`` and reloads), the exporter's values are
then pushed over the limits, and ``opspec monitor run`` reads the firing alerts back from
Prometheus's API and consolidates them into one incident rooted at the upstream service. A
forecast on a Prometheus source is pushed to Alertmanager. Then a rule file edited outside
opspec shows as drift in the plan, and with Prometheus stopped `monitor run` lists the
unreadable source by URL and a new threshold monitor fails naming it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from monitor_servers import (
    ALERTMANAGER,
    PROMETHEUS,
    Server,
    free_port,
    installed,
    start_alertmanager,
    start_prometheus,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (installed(PROMETHEUS) and installed(ALERTMANAGER)),
        reason="prometheus/prometheus-alertmanager not installed (`make services` installs them)",
    ),
]

SPEC = """
providers:
  prometheus: {{url: "{prom}", rules_dir: rules, config_file: prometheus.yml}}
  alertmanager: {{url: "{am}", config_file: alertmanager.yml}}
resources:
  service_topology.app:
    correlation_window: 10m
    services:
      api: {{owner: api-team, depends_on: [queue]}}
      queue: {{owner: infra-team}}
  alert_route.infra:
    matchers: ['team="infra-team"']
    receiver: infra-oncall
    group_wait: 1s
  monitor.queue_backlog:
    type: threshold
    service: queue
    severity: critical
    metric: opspec_test_queue_depth
    comparison: ">"
    value: 10
  monitor.api_slow:
    type: threshold
    service: api
    expr: max(opspec_test_latency_seconds)
    comparison: ">"
    value: 0.5
  metric_source.queue:
    kind: prometheus
    query: opspec_test_queue_depth
    step: 1s
  monitor.queue_growth:
    type: forecast
    source: ${{metric_source.queue.uri}}
    service: queue
    limit: 100000
    horizon: 30d
    lookback: 2m
"""


def opspec(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"opspec {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def wait_for(what: str, probe: Any, timeout_s: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def exporter() -> Iterator[tuple[int, Any, Any]]:
    from prometheus_client import CollectorRegistry, Gauge, start_http_server

    registry = CollectorRegistry()
    queue = Gauge("opspec_test_queue_depth", "items waiting", registry=registry)
    latency = Gauge("opspec_test_latency_seconds", "api latency", registry=registry)
    queue.set(1)
    latency.set(0.1)
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    stop = threading.Event()

    def grow() -> None:  # a steadily growing queue, for the forecast
        while not stop.wait(0.5):
            queue.inc(1)

    grower = threading.Thread(target=grow, daemon=True)
    grower.start()
    yield port, queue, latency
    stop.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def servers(
    tmp_path: Path, exporter: tuple[int, Any, Any]
) -> Iterator[tuple[Path, Server, Server]]:
    project = tmp_path / "project"
    project.mkdir()
    started: list[Server] = []
    try:
        (project / "alertmanager.yml").write_text(
            'route: {receiver: "null"}\nreceivers: [{name: "null"}]\n'
        )
        am = start_alertmanager(tmp_path, project / "alertmanager.yml")
        started.append(am)
        (project / "prometheus.yml").write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
            "scrape_configs:\n"
            "  - job_name: exporter\n"
            f"    static_configs: [{{targets: ['127.0.0.1:{exporter[0]}']}}]\n"
            "alerting:\n"
            f"  alertmanagers: [{{static_configs: [{{targets: ['{am.url[7:]}']}}]}}]\n"
        )
        prom = start_prometheus(tmp_path, project / "prometheus.yml")
        started.append(prom)
        (project / "main.ops.yaml").write_text(SPEC.format(prom=prom.url, am=am.url))
        yield project, prom, am
    finally:
        for server in reversed(started):
            server.stop()


def _groups(prom: Server) -> set[str]:
    body = requests.get(prom.url + "/api/v1/rules", timeout=5).json()
    return {g["name"] for g in body["data"]["groups"]}


def _firing(prom: Server) -> set[str]:
    body = requests.get(prom.url + "/api/v1/alerts", timeout=5).json()
    return {a["labels"]["alertname"] for a in body["data"]["alerts"] if a["state"] == "firing"}


def test_rules_load_fire_and_come_back_as_one_incident(
    servers: tuple[Path, Server, Server], exporter: tuple[int, Any, Any]
) -> None:
    project, prom, am = servers
    _, queue, latency = exporter
    wait_for("a few scrapes for the forecast", lambda: time.sleep(5) or True)
    opspec(project, "apply", "--auto-approve")
    assert {"opspec.queue_backlog", "opspec.api_slow"} <= _groups(prom)
    assert str((project / "rules").resolve()) in (project / "prometheus.yml").read_text()
    assert "infra-oncall" in (project / "alertmanager.yml").read_text()

    queue.set(50)
    latency.set(2.0)
    wait_for("both alerts to fire", lambda: _firing(prom) >= {"QueueBacklog", "ApiSlow"})

    def evaluated() -> dict[str, Any] | None:
        # The forecast needs a few scrapes after the jump; on a loaded machine Prometheus may
        # not have them yet, so evaluate again until the forecast alert is there.
        run = opspec(project, "monitor", "run", "--once", "--format", "json")
        doc: dict[str, Any] = json.loads(run.stdout)
        forecast = any(
            a["monitor"] == "monitor.queue_growth" for i in doc["incidents"] for a in i["alerts"]
        )
        return doc if forecast else None

    report = wait_for("the forecast alert", evaluated, timeout_s=90.0)
    assert set(report) == {"incidents", "unreadable_sources"}
    assert report["unreadable_sources"] == []
    threshold = [
        i
        for i in report["incidents"]
        if {a["monitor"] for a in i["alerts"]} & {"monitor.queue_backlog", "monitor.api_slow"}
    ]
    assert len(threshold) == 1, report
    incident = threshold[0]
    assert (incident["root_cause"], incident["owner"], incident["route"]) == (
        "queue",
        "infra-team",
        "infra-oncall",
    )
    monitors = {a["monitor"] for a in incident["alerts"]}
    assert {"monitor.queue_backlog", "monitor.api_slow"} <= monitors
    assert any(
        a["monitor"] == "monitor.queue_growth" for i in report["incidents"] for a in i["alerts"]
    )

    def pushed() -> bool:
        alerts = requests.get(am.url + "/api/v2/alerts", timeout=5).json()
        return any(a["labels"].get("opspec_monitor") == "monitor.queue_growth" for a in alerts)

    wait_for("the forecast alert in Alertmanager", pushed)

    rule_file = project / "rules" / "queue_backlog.yml"
    rule_file.write_text(rule_file.read_text().replace("> 10", "> 1000"))
    plan = json.loads(opspec(project, "plan", "--format", "json").stdout)
    changes = {c["address"]: c for c in plan["resource_changes"]}
    assert changes["monitor.queue_backlog"]["change"]["actions"] == ["update"]
    assert changes["monitor.queue_backlog"]["action_reason"] == "drift"

    prom.stop()
    down = opspec(project, "monitor", "run", "--once", "--format", "json")
    report = json.loads(down.stdout)
    unreadable = {u["monitor"]: u for u in report["unreadable_sources"]}
    assert {"monitor.queue_backlog", "monitor.api_slow", "monitor.queue_growth"} <= set(unreadable)
    assert all(prom.url in u["error"] for u in unreadable.values())
    assert prom.url in down.stderr

    with (project / "main.ops.yaml").open("a") as spec:
        spec.write(
            "  monitor.queue_empty:\n    type: threshold\n    metric: opspec_test_queue_depth\n"
            '    comparison: "<"\n    value: 1\n'
        )
    failed = opspec(project, "apply", "--auto-approve", check=False)
    assert failed.returncode == 1
    assert prom.url in failed.stdout + failed.stderr
    assert not (project / "rules" / "queue_empty.yml").exists()
