"""Speed of evaluating anomaly monitors on 1,000 series of 1,000 points each.

Run: ``.venv/bin/python benchmarks/bench_monitor_speed.py [--series 1000] [--points 1000]``
(on a machine with more cores, prefix ``taskset -c 0,1`` to measure on two).

Two figures, each the best of ``--repeat`` runs, wall clock and CPU time:

- ``detect``: for every series, fit the default detector on its first half and score the
  second half (``providers.monitor.jobs.adhoc.score_series``, what ``opspec monitor detect`` runs).
- ``monitor run``: one file source holding every series (a CSV of series x points rows) and one
  anomaly monitor applied through the providers (fitted at apply on the first half, timed
  separately); then one round of ``monitor run`` (:func:`providers.monitor.run.run_once`):
  read the CSV, score the second half of every series with the stored detectors, turn flags
  into alerts and correlate them into incidents.

The series are noisy cycles of random period, level and noise; every tenth has an anomaly
(a burst of jitter) in its second half.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.providers import ProviderContext
from providers.monitor.jobs.adhoc import score_series
from providers.monitor.jobs.detectors.base import single_threaded_blas
from providers.monitor.jobs.detectors.events import event_scores
from providers.monitor.jobs.evaluate import EvalContext
from providers.monitor.metric_source import MetricSourceProvider
from providers.monitor.monitor import MonitorProvider
from providers.monitor.run import run_once

START = 1_714_521_600  # 2024-05-01T00:00:00Z


def make_series(
    count: int, points: int, seed: int = 0
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The series and their labels (1 on the injected anomalies)."""
    rng = np.random.default_rng(seed)
    t = np.arange(points)
    out, labels = [], []
    for i in range(count):
        label = np.zeros(points)
        period = rng.integers(12, 96)
        values = rng.uniform(5, 500) * (1 + 0.2 * np.sin(2 * np.pi * t / period))
        values += rng.normal(0, values.mean() * rng.uniform(0.005, 0.03), points)
        if i % 10 == 0:
            at = rng.integers(points // 2, points - 10)
            values[at : at + 6] += values.std() * np.array([1.0, -1.0] * 3)
            label[at : at + 6] = 1
        out.append(values)
        labels.append(label)
    return out, labels


@dataclass
class Timing:
    wall_s: float
    cpu_s: float


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[Timing, Any]:
    best: Timing | None = None
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        timing = Timing(time.perf_counter() - wall, time.process_time() - cpu)
        if best is None or timing.wall_s < best.wall_s:
            best = timing
    assert best is not None
    return best, result


def bench_detect(series: list[np.ndarray]) -> list[np.ndarray]:
    half = len(series[0]) // 2
    with single_threaded_blas():
        return [np.nan_to_num(score_series(v, half))[half:] > 1 for v in series]


def quality(flags: list[np.ndarray], labels: list[np.ndarray]) -> dict[str, float]:
    """Event-wise scores pooled over all series (second halves)."""
    half = len(labels[0]) // 2
    scores = [event_scores(f, y[half:]) for f, y in zip(flags, labels, strict=True)]
    predicted = sum(s.predicted for s in scores)
    correct = sum(round(s.precision * s.predicted) for s in scores)
    found = sum(s.found for s in scores)
    truth = sum(s.true_events for s in scores)
    precision = correct / predicted if predicted else 0.0
    recall = found / truth if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "events": predicted,
        "true_events": truth,
    }


@dataclass
class Applied:
    project: Path
    records: dict[str, Any]
    apply_s: float


@dataclass
class _Record:
    type: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


def apply_project(root: Path, series: list[np.ndarray]) -> Applied:
    points = len(series[0])
    (root / "data").mkdir(parents=True)
    with (root / "data" / "metrics.csv").open("w") as f:
        f.write("timestamp,series,value\n")
        for i, values in enumerate(series):
            f.writelines(f"{START + 60 * k},s{i:04d},{v:.4f}\n" for k, v in enumerate(values))
    ctx = ProviderContext(str(root), str(root / ".opspec"), "metric_source.metrics")
    started = time.perf_counter()
    source = MetricSourceProvider(ctx)
    src_in = source.check(
        {}, {"kind": "file", "path": "data/metrics.csv", "label_columns": ["series"]}
    ).inputs
    src_out = dict(source.create(src_in).outs)
    monitor = MonitorProvider(ctx.for_address("monitor.anomalies"))
    news = {
        "type": "anomaly",
        "source": src_out["uri"],
        "train_until": str(START + 60 * (points // 2 - 1)),
        "training_window": "30d",
    }
    mon_in = monitor.check({}, news).inputs
    mon_out = dict(monitor.create(mon_in).outs)
    apply_s = time.perf_counter() - started
    records = {
        "metric_source.metrics": _Record("metric_source", src_in, src_out),
        "monitor.anomalies": _Record("monitor", mon_in, mon_out),
    }
    return Applied(root, records, apply_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    series, labels = make_series(args.series, args.points)
    cores = len(os.sched_getaffinity(0))
    detect, flags = best_of(args.repeat, lambda: bench_detect(series))
    with tempfile.TemporaryDirectory() as tmp:
        applied = apply_project(Path(tmp), series)
        ctx = EvalContext(str(applied.project), str(applied.project / ".opspec" / "artifacts"))
        run, report = best_of(args.repeat, lambda: run_once(applied.records, ctx))
    alerts = sum(len(i.alerts) for i in report.incidents)
    print(
        json.dumps(
            {
                "series": args.series,
                "points": args.points,
                "cores": cores,
                "detect": {
                    "wall_s": round(detect.wall_s, 3),
                    "cpu_s": round(detect.cpu_s, 3),
                    "quality": quality(flags, labels),
                },
                "monitor_run": {
                    "wall_s": round(run.wall_s, 3),
                    "cpu_s": round(run.cpu_s, 3),
                    "alerts": alerts,
                    "incidents": len(report.incidents),
                    "unreadable": len(report.unreadable),
                },
                "apply_s": round(applied.apply_s, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
