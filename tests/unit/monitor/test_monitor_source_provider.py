"""metric_source: file checks and hashes at plan time, Prometheus queries, drift of data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from monitor_data import write_latency_csv

from engine.providers import ProviderContext
from providers.monitor.errors import ServiceUnreachable
from providers.monitor.jobs.series import read_file_series
from providers.monitor.metric_source import MetricSourceProvider
from providers.monitor.source_uri import SourceRef
from providers.monitor.tools import tool_path

Ctx = Callable[..., ProviderContext]


def _failures(provider: MetricSourceProvider, news: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check({}, news).failures]


def test_file_source_knows_its_hash_and_uri_at_plan_time(project: Path, make_ctx: Ctx) -> None:
    write_latency_csv(project / "data" / "latency.csv")
    provider = MetricSourceProvider(make_ctx("metric_source.latency"))
    result = provider.check(
        {}, {"kind": "file", "path": "data/latency.csv", "label_columns": ["service"]}
    )
    assert result.failures == []
    ref = SourceRef.from_uri(result.inputs["uri"])
    assert ref.sha256 == result.inputs["sha256"] and len(ref.sha256) == 64
    assert (ref.path, ref.label_columns) == ("data/latency.csv", ("service",))
    created = provider.create(result.inputs)
    assert created.outs["series"] == 3 and created.outs["samples"] == 900


def test_file_source_errors_point_at_the_field(project: Path, make_ctx: Ctx) -> None:
    write_latency_csv(project / "data" / "latency.csv")
    provider = MetricSourceProvider(make_ctx("metric_source.x"))
    assert _failures(provider, {"kind": "file", "path": "data/nope.csv"})[0][0] == "path"
    failures = _failures(
        provider,
        {
            "kind": "file",
            "path": "data/latency.csv",
            "value_column": "p95",
            "label_columns": ["svc"],
        },
    )
    assert [f[0] for f in failures] == ["value_column", "label_columns.0"]
    assert "no column 'p95'" in failures[0][1]
    assert _failures(provider, {"kind": "file", "path": "../outside.csv"})[0][0] == "path"
    assert _failures(provider, {"kind": "file", "path": "data/latency.csv", "query": "up"}) == [
        ("query", "`query` does not apply to file sources")
    ]


def test_prometheus_source_needs_a_url_and_valid_promql(make_ctx: Ctx) -> None:
    bare = MetricSourceProvider(make_ctx("metric_source.q"))
    assert _failures(bare, {"kind": "prometheus", "query": "up"})[0][0] == "url"
    configured = MetricSourceProvider(
        make_ctx("metric_source.q", {"prometheus": {"url": "http://127.0.0.1:9/"}})
    )
    result = configured.check({}, {"kind": "prometheus", "query": "rate(x[5m])", "step": "30s"})
    assert result.failures == []
    ref = SourceRef.from_uri(result.inputs["uri"])
    assert (ref.url, ref.query, ref.step) == ("http://127.0.0.1:9", "rate(x[5m])", "30s")
    if tool_path("promtool") is None:
        pytest.skip("promtool is not installed (CI installs it): PromQL is checked at apply")
    failures = _failures(configured, {"kind": "prometheus", "query": "rate(x[5m]"})
    assert failures[0][0] == "query" and "unclosed left parenthesis" in failures[0][1]


def test_create_fails_naming_the_url_when_prometheus_is_down(make_ctx: Ctx) -> None:
    provider = MetricSourceProvider(make_ctx("metric_source.q"))
    inputs = provider.check({}, {"kind": "prometheus", "query": "up", "url": "http://127.0.0.1:9"})
    with pytest.raises(ServiceUnreachable, match=r"http://127\.0\.0\.1:9"):
        provider.create(inputs.inputs)


def test_changed_data_is_drift_and_a_diff(project: Path, make_ctx: Ctx) -> None:
    path = project / "data" / "latency.csv"
    write_latency_csv(path)
    provider = MetricSourceProvider(make_ctx("metric_source.latency"))
    inputs = provider.check({}, {"kind": "file", "path": "data/latency.csv"}).inputs
    outs = dict(provider.create(inputs).outs)
    assert provider.read("metric_source.latency", outs).outs == outs
    write_latency_csv(path, incident={"db": 100})
    refreshed = provider.read("metric_source.latency", outs).outs
    assert refreshed["sha256"] != outs["sha256"] and refreshed["uri"] != outs["uri"]
    news = provider.check({}, {"kind": "file", "path": "data/latency.csv"}).inputs
    assert provider.diff("metric_source.latency", outs, news).changes
    path.unlink()
    assert provider.read("metric_source.latency", outs).id == ""


def test_file_series_group_by_labels_and_sort_by_time(project: Path) -> None:
    (project / "m.csv").write_text(
        "timestamp,host,value\n2024-01-01T00:02:00Z,a,3\n2024-01-01T00:01:00Z,a,2\n"
        "2024-01-01T00:00:00+00:00,b,1\n"
    )
    ref = SourceRef("file", path="m.csv", label_columns=("host",), labels={"service": "api"})
    series = read_file_series(str(project), ref)
    assert [s.labels for s in series] == [
        {"service": "api", "host": "a"},
        {"service": "api", "host": "b"},
    ]
    assert series[0].values.tolist() == [2.0, 3.0]
    assert series[0].times[1] - series[0].times[0] == 60.0
    assert series[1].times[0] == 1704067200.0


def test_file_source_can_read_data_shipped_in_a_distribution(make_ctx: Ctx) -> None:
    pytest.importorskip("aeon")
    provider = MetricSourceProvider(make_ctx("metric_source.ucr"))
    path = "pkg:aeon/datasets/data/KDD-TSAD_135/135_UCR_Anomaly_InternalBleeding16_TRAIN.csv"
    checked = provider.check({}, {"kind": "file", "path": path})
    assert checked.failures == []
    assert provider.create(checked.inputs).outs["samples"] == 1200
    escape = provider.check({}, {"kind": "file", "path": "pkg:aeon/../../etc/passwd"})
    assert [f.property for f in escape.failures] == ["path"]
