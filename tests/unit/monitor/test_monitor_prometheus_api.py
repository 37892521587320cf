"""Prometheus-backed monitors against a fake API: training, scoring new data, firing alerts."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fake_prometheus import fake_prometheus

from engine.providers import ProviderContext
from providers.monitor.jobs.evaluate import EvalContext
from providers.monitor.metric_source import MetricSourceProvider
from providers.monitor.monitor import MonitorProvider
from providers.monitor.run import run_once

Ctx = Callable[..., ProviderContext]


@dataclass
class Record:
    type: str
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)


def test_anomaly_monitor_on_prometheus_trains_then_scores_only_new_data(
    project: Path, make_ctx: Ctx
) -> None:
    t0 = time.time()
    jitter_at = t0 + 1800  # half an hour after apply

    def value_at(t: float) -> float:
        base = 10 + 3 * math.sin(2 * math.pi * t / 3600) + 0.02 * math.sin(t * 7.31)
        if jitter_at <= t < jitter_at + 360:
            base += 1.5 if int(t // 60) % 2 else -1.5
        return base

    with fake_prometheus(value_at) as prom:
        settings = {"prometheus": {"url": prom.url}}
        source = MetricSourceProvider(make_ctx("metric_source.api", settings))
        src_in = source.check({}, {"kind": "prometheus", "query": "latency", "step": "1m"}).inputs
        src_out = dict(source.create(src_in).outs)
        assert src_out["series"] == 1
        monitor = MonitorProvider(make_ctx("monitor.api", settings))
        news = {"type": "anomaly", "source": src_out["uri"], "training_window": "1d"}
        mon_in = monitor.check({}, news).inputs
        mon_out = dict(monitor.create(mon_in).outs)
        assert mon_out["trained_series"] == 1 and mon_out["trained_until"] >= t0
        records = {"monitor.api": Record("monitor", mon_in, mon_out)}
        artifacts = str(project / ".opspec" / "artifacts")
        report = run_once(records, EvalContext(str(project), artifacts, now=t0 + 3600))
        assert report.unreadable == []
        [incident] = report.incidents
        [alert] = incident.alerts
        assert incident.root_cause == "api"
        assert jitter_at - 60 <= alert.at <= jitter_at + 360
        # Before the jitter there is nothing to report.
        early = run_once(records, EvalContext(str(project), artifacts, now=t0 + 1500))
        assert early.incidents == []


def test_firing_alerts_are_read_back_and_pending_ones_ignored(project: Path) -> None:
    with fake_prometheus(lambda t: 0.0) as prom:
        prom.alerts = [
            {
                "labels": {
                    "alertname": "QueueBacklog",
                    "opspec_monitor": "monitor.queue",
                    "service": "queue",
                    "severity": "critical",
                },
                "annotations": {"summary": "queue too long"},
                "state": "firing",
                "activeAt": "2024-05-01T10:00:00.123456789Z",
                "value": "5.2e+01",
            },
            {
                "labels": {"alertname": "Other", "opspec_monitor": "monitor.queue"},
                "state": "pending",
                "activeAt": "2024-05-01T10:01:00Z",
                "value": "1",
            },
            {
                "labels": {"alertname": "NotOurs"},
                "state": "firing",
                "activeAt": "2024-05-01T10:01:00Z",
                "value": "1",
            },
        ]
        records = {
            "monitor.queue": Record(
                "monitor",
                {"type": "threshold", "metric": "q", "comparison": ">", "value": 10},
                {"prometheus_url": prom.url},
            )
        }
        artifacts = str(project / ".opspec" / "artifacts")
        report = run_once(records, EvalContext(str(project), artifacts))
    [incident] = report.incidents
    [alert] = incident.alerts
    assert (alert.monitor, alert.service, alert.severity, alert.value) == (
        "monitor.queue",
        "queue",
        "critical",
        52.0,
    )
    assert alert.to_json()["at"] == "2024-05-01T10:00:00.123456Z"
    assert alert.summary == "queue too long"
