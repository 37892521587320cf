"""Benchmark metrics, their ratios against the baseline, and gates on them.

A gate is ``metric: "<op> <number>"`` in the one grammar of :mod:`specs.gates`, such as
``p95_ms: "<= 50"`` or ``speedup: ">= 1.5"``. Latency metrics are taken at the first shape of
the benchmark. Relative metrics (speedup, perplexity increase, size ratio, …) compare a variant
with the first variant of the same run, so a gate on them makes no sense for the first variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specs.gates import parse_condition


@dataclass(frozen=True)
class Metric:
    description: str
    needs: str = ""  # "perplexity" or "generation" when it needs that part of the benchmark
    relative: bool = False


METRICS: dict[str, Metric] = {
    "p50_ms": Metric("median forward latency at the first shape (ms)"),
    "p95_ms": Metric("95th percentile forward latency at the first shape (ms)"),
    "speedup": Metric("baseline p50 / variant p50 at the first shape", relative=True),
    "p95_speedup": Metric("baseline p95 / variant p95 at the first shape", relative=True),
    "tokens_per_s": Metric("greedy generation throughput", needs="generation"),
    "generation_speedup": Metric(
        "variant tokens/s over baseline tokens/s", needs="generation", relative=True
    ),
    "perplexity": Metric("perplexity on the held-out text", needs="perplexity"),
    "eval_loss": Metric("mean next-token loss on the held-out text", needs="perplexity"),
    "perplexity_increase_pct": Metric(
        "perplexity increase over the baseline (%)", needs="perplexity", relative=True
    ),
    "size_mb": Metric("artifact size on disk (MB)"),
    "size_ratio": Metric("size over the baseline's size", relative=True),
    "peak_rss_mb": Metric("peak resident memory of the measuring process (MB)"),
    "load_rss_mb": Metric("resident memory added by loading the model (MB)"),
}


def gate_problems(gates: dict[str, str], *, baseline: bool, has: set[str]) -> dict[str, str]:
    """Problems of ``gates`` by metric name (empty when they are fine); no side effects."""
    problems = {}
    for name in gates:  # their conditions are checked by the spec's `Gate` type
        metric = METRICS.get(name)
        if metric is None:
            problems[name] = f"unknown metric; known: {', '.join(sorted(METRICS))}"
            continue
        if metric.needs and metric.needs not in has:
            problems[name] = f"needs the benchmark's `{metric.needs}` settings"
        elif metric.relative and baseline:
            problems[name] = "compares with the first variant, so cannot gate the first variant"
    return problems


def add_ratios(results: dict[str, dict[str, Any]], baseline: str) -> None:
    """Add the relative metrics of every variant against ``baseline`` (in place)."""
    base = results[baseline]
    for row in results.values():
        row["speedup"] = _ratio(base.get("p50_ms"), row.get("p50_ms"))
        row["p95_speedup"] = _ratio(base.get("p95_ms"), row.get("p95_ms"))
        row["size_ratio"] = _ratio(row.get("size_mb"), base.get("size_mb"))
        if "tokens_per_s" in row:
            row["generation_speedup"] = _ratio(row["tokens_per_s"], base.get("tokens_per_s"))
        if "perplexity" in row:
            ratio = _ratio(row["perplexity"], base.get("perplexity"))
            row["perplexity_increase_pct"] = round((ratio - 1) * 100, 3)


def _ratio(num: Any, den: Any) -> float:
    return round(float(num) / float(den), 4) if num and den else 0.0


def evaluate_gates(
    results: dict[str, dict[str, Any]], baseline: str, common: dict[str, str],
    per_variant: dict[str, dict[str, str]],
) -> list[dict[str, Any]]:  # fmt: skip
    """One record per (variant, gate): the measured value and whether it passed."""
    records = []
    for variant, row in results.items():
        gates = dict(common) if variant != baseline else {}
        gates.update(per_variant.get(variant, {}))
        for metric, condition in gates.items():
            value = row.get(metric)
            passed = parse_condition(condition).passes(None if value is None else float(value))
            records.append(
                {"variant": variant, "metric": metric, "condition": condition.strip(),
                 "value": value, "passed": passed}
            )  # fmt: skip
    return records


def failure_message(records: list[dict[str, Any]]) -> str:
    failed = [r for r in records if not r["passed"]]
    return "; ".join(
        f"gate {r['metric']} {r['condition']} failed for variant {r['variant']}: "
        f"measured {r['value']}"
        for r in failed
    )
