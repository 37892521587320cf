"""Anomaly and drift monitors: fitting in a job, the artifact, the cache and lost fits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from monitor_data import write_latency_csv

from engine.artifacts import ArtifactStore
from engine.providers import ProviderContext
from providers.monitor.jobs.fit import load_artifact
from providers.monitor.metric_source import MetricSourceProvider
from providers.monitor.monitor import MonitorProvider

Ctx = Callable[..., ProviderContext]


def _source_uri(make_ctx: Ctx) -> str:
    provider = MetricSourceProvider(make_ctx("metric_source.latency"))
    news = {"kind": "file", "path": "data/latency.csv", "label_columns": ["service"]}
    return str(provider.check({}, news).inputs["uri"])


def _runs(project: Path, address: str) -> int:
    folder = project / ".opspec" / "runs" / address
    return len(list(folder.iterdir())) if folder.exists() else 0


def _anomaly(uri: str, **extra: Any) -> dict[str, Any]:
    return {"type": "anomaly", "source": uri, "train_until": "2024-05-01T03:00:00Z", **extra}


def test_anomaly_monitor_fits_per_series_and_reuses_the_cache(project: Path, make_ctx: Ctx) -> None:
    write_latency_csv(project / "data" / "latency.csv")
    provider = MonitorProvider(make_ctx("monitor.latency"))
    inputs = provider.check({}, _anomaly(_source_uri(make_ctx))).inputs
    outs = provider.create(inputs).outs
    assert outs["trained_series"] == 3 and _runs(project, "monitor.latency") == 1
    assert outs["trained_until"] == 1714532400.0  # 2024-05-01T03:00:00Z
    document = load_artifact(str(project / ".opspec" / "artifacts"), outs["detector_uri"])
    assert [s["key"] for s in document["series"]] == [
        '{service="api"}',
        '{service="db"}',
        '{service="web"}',
    ]
    assert len(document["series"][0]["model"]["state"]["history"]) == 181  # 00:00..03:00
    assert set(outs["cache_parts"]) >= {"source", "detector", "train_until", "fit_version"}
    again = provider.create(inputs).outs
    assert again["detector_uri"] == outs["detector_uri"] and _runs(project, "monitor.latency") == 1
    tuned = provider.check({}, _anomaly(_source_uri(make_ctx), sensitivity=2.0)).inputs
    assert provider.cache_parts(tuned)["sensitivity"] != outs["cache_parts"]["sensitivity"]
    assert provider.cache_parts(tuned)["source"] == outs["cache_parts"]["source"]


def test_changed_data_changes_the_cache_key(project: Path, make_ctx: Ctx) -> None:
    write_latency_csv(project / "data" / "latency.csv")
    provider = MonitorProvider(make_ctx("monitor.latency"))
    before = provider.cache_key(provider.check({}, _anomaly(_source_uri(make_ctx))).inputs)
    write_latency_csv(project / "data" / "latency.csv", incident={"db": 200})
    after = provider.cache_key(provider.check({}, _anomaly(_source_uri(make_ctx))).inputs)
    assert before != after


def test_a_lost_fit_is_drift(project: Path, make_ctx: Ctx) -> None:
    write_latency_csv(project / "data" / "latency.csv")
    provider = MonitorProvider(make_ctx("monitor.latency"))
    inputs = provider.check({}, _anomaly(_source_uri(make_ctx))).inputs
    outs = dict(provider.create(inputs).outs)
    assert provider.read("monitor.latency", outs).outs == outs
    ArtifactStore(project / ".opspec" / "artifacts").path(outs["detector_uri"]).unlink()
    refreshed = provider.read("monitor.latency", outs).outs
    assert refreshed["detector_uri"] is None
    assert provider.diff("monitor.latency", refreshed, inputs).changes is True


def test_anomaly_source_must_be_a_source_uri(make_ctx: Ctx) -> None:
    provider = MonitorProvider(make_ctx("monitor.latency"))
    failures = provider.check({}, {"type": "anomaly", "source": "data/latency.csv"}).failures
    assert [f.property for f in failures] == ["source"]
    assert "metric_source.NAME.uri" in failures[0].reason


def _write_features(path: Path, shift: float) -> None:
    rng = np.random.default_rng(int(shift * 10))
    rows = ["age,income,name"] + [
        f"{a:.3f},{i:.3f},n{k}"
        for k, (a, i) in enumerate(
            zip(rng.normal(40 + shift * 10, 5, 800), rng.normal(50, 10, 800), strict=True)
        )
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")


def test_drift_monitor_profiles_numeric_features(project: Path, make_ctx: Ctx) -> None:
    _write_features(project / "data" / "ref.csv", 0.0)
    _write_features(project / "data" / "cur.csv", 1.0)
    provider = MonitorProvider(make_ctx("monitor.inputs"))
    news = {"type": "drift", "reference": "data/ref.csv", "current": "data/cur.csv"}
    inputs = provider.check({}, news).inputs
    assert len(inputs["reference_sha256"]) == 64
    outs = provider.create(inputs).outs
    document = load_artifact(str(project / ".opspec" / "artifacts"), outs["detector_uri"])
    assert sorted(document["features"]) == ["age", "income"]
    bad = provider.check({}, {**news, "features": ["age", "height"]}).failures
    assert [f.property for f in bad] == ["features.1", "features.1"]
    missing = provider.check({}, {**news, "current": "data/none.csv"}).failures
    assert [f.property for f in missing] == ["current"]
