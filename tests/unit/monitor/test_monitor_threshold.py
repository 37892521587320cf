"""Threshold monitors: rule rendering, promtool checks, the rule file, drift and deletion."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.providers import ProviderContext
from providers.monitor.monitor import MonitorProvider
from providers.monitor.tools import tool_path

Ctx = Callable[..., ProviderContext]
THRESHOLD = {
    "type": "threshold",
    "metric": 'queue_depth{job="worker"}',
    "comparison": ">",
    "value": 100,
    "duration": "5m",
    "service": "worker",
    "labels": {"team": "infra"},
}
needs_promtool = pytest.mark.skipif(
    tool_path("promtool") is None, reason="promtool is not installed (CI installs it)"
)


def _failures(provider: MonitorProvider, news: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check({}, news).failures]


def test_rule_file_is_rendered_checked_and_known_at_plan(project: Path, make_ctx: Ctx) -> None:
    provider = MonitorProvider(make_ctx("monitor.queue_backlog"))
    checked = provider.check({}, THRESHOLD)
    assert checked.failures == []
    assert checked.inputs["rule_file"] == ".opspec/prometheus/rules/queue_backlog.yml"
    assert checked.inputs["alert_name"] == "QueueBacklog"
    assert checked.inputs["prometheus_url"] is None
    outs = provider.create(checked.inputs).outs
    assert outs["rule_sha256"] == checked.inputs["rule_sha256"]
    text = (project / outs["rule_file"]).read_text()
    rule = yaml.safe_load(text)["groups"][0]["rules"][0]
    assert rule == {
        "alert": "QueueBacklog",
        "expr": 'queue_depth{job="worker"} > 100',
        "for": "5m",
        "labels": {
            "opspec_monitor": "monitor.queue_backlog",
            "service": "worker",
            "severity": "warning",
            "team": "infra",
        },
        "annotations": {"summary": "QueueBacklog on worker: value {{ $value }}"},
    }
    if tool_path("promtool"):
        assert outs["rule_check"] == "promtool check rules: ok"


def test_edited_rule_file_is_drift_and_deleted_file_is_gone(project: Path, make_ctx: Ctx) -> None:
    provider = MonitorProvider(make_ctx("monitor.queue_backlog"))
    inputs = provider.check({}, THRESHOLD).inputs
    outs = dict(provider.create(inputs).outs)
    path = project / outs["rule_file"]
    assert provider.diff("monitor.queue_backlog", outs, inputs).changes is False
    path.write_text(path.read_text().replace("> 100", "> 1000"))
    refreshed = provider.read("monitor.queue_backlog", outs).outs
    assert refreshed["rule_sha256"] != outs["rule_sha256"]
    assert provider.diff("monitor.queue_backlog", refreshed, inputs).changes is True
    provider.delete("monitor.queue_backlog", outs)
    assert not path.exists()
    assert provider.read("monitor.queue_backlog", outs).id == ""
    provider.delete("monitor.queue_backlog", outs)  # idempotent


def test_expression_and_settings_shape_the_rule(project: Path, make_ctx: Ctx) -> None:
    settings = {"prometheus": {"rules_dir": "rules"}}
    provider = MonitorProvider(make_ctx('monitor.errors["eu"]', settings))
    news = {
        "type": "threshold",
        "expr": "sum(rate(e[5m])) / sum(rate(r[5m]))",
        "comparison": ">=",
        "value": 0.05,
        "alert": "HighErrorRate",
    }
    inputs = provider.check({}, news).inputs
    assert inputs["rule_file"] == "rules/errors_eu.yml"
    outs = provider.create(inputs).outs
    rule = yaml.safe_load((project / outs["rule_file"]).read_text())["groups"][0]["rules"][0]
    assert rule["expr"] == "(sum(rate(e[5m])) / sum(rate(r[5m]))) >= 0.05"
    assert rule["alert"] == "HighErrorRate"


def test_fields_of_another_type_and_missing_ones_are_reported(make_ctx: Ctx) -> None:
    provider = MonitorProvider(make_ctx("monitor.m"))
    assert _failures(provider, {**THRESHOLD, "limit": 5, "detector": "mad"}) == [
        ("detector", "`detector` does not apply to threshold monitors"),
        ("limit", "`limit` does not apply to threshold monitors"),
    ]
    assert _failures(provider, {"type": "threshold", "metric": "up"}) == [
        ("comparison", "threshold monitors need `comparison`"),
        ("value", "threshold monitors need `value`"),
    ]
    both = {**THRESHOLD, "expr": "up"}
    assert _failures(provider, both)[0][0] == "expr"
    assert (
        _failures(provider, {**THRESHOLD, "labels": {"bad-name": "x"}})[0][0] == "labels.bad-name"
    )
    assert _failures(provider, {**THRESHOLD, "alert": "no spaces"})[0][0] == "alert"
    assert _failures(provider, {**THRESHOLD, "duration": "5 minutes"})[0][0] == "duration"


@needs_promtool
def test_promql_that_promtool_rejects_is_a_failure_on_expr(make_ctx: Ctx) -> None:
    provider = MonitorProvider(make_ctx("monitor.m"))
    failures = _failures(provider, {**THRESHOLD, "metric": None, "expr": "sum(rate(x[5m])"})
    assert failures and failures[0][0] == "expr"
    assert "parse error" in failures[0][1]
    failures = _failures(provider, {**THRESHOLD, "metric": "rate(x[5q])"})
    assert failures and failures[0][0] == "metric"


def test_moving_the_rules_dir_removes_the_old_file(project: Path, make_ctx: Ctx) -> None:
    before = MonitorProvider(make_ctx("monitor.queue_backlog"))
    olds = dict(before.create(before.check({}, THRESHOLD).inputs).outs)
    after = MonitorProvider(make_ctx("monitor.queue_backlog", {"prometheus": {"rules_dir": "r"}}))
    news = after.check({}, THRESHOLD).inputs
    assert after.diff("monitor.queue_backlog", olds, news).changes
    outs = after.update("monitor.queue_backlog", olds, news).outs
    assert (project / "r" / "queue_backlog.yml").is_file()
    assert not (project / olds["rule_file"]).exists()
    assert outs["rule_file"] == "r/queue_backlog.yml"
