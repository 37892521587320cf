"""The benchmark's report: a Markdown table (also what ``opspec show`` prints), JSON and a chart.

The table puts quality next to speed on every row: latency, speedup, generation throughput,
perplexity and its change, size and memory. The chart (matplotlib, Agg, no pyplot state) shows
latency and size per variant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_COLUMNS = (
    ("variant", "variant"),
    ("format", "format"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("speedup", "speedup"),
    ("tokens_per_s", "gen tok/s"),
    ("perplexity", "perplexity"),
    ("perplexity_increase_pct", "Δppl %"),
    ("size_mb", "size MB"),
    ("size_ratio", "size ×"),
    ("peak_rss_mb", "peak RSS MB"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def markdown_table(outputs: dict[str, Any]) -> str:
    """The results table and the gate results, as Markdown."""
    results: dict[str, dict[str, Any]] = outputs.get("results") or {}
    if not results:
        return "(no results: the benchmark has not run)"
    first = next(iter(results.values()))
    shape = first.get("shapes", [{}])[0]
    lines = [
        f"Baseline `{outputs.get('baseline', '')}`; forward latency at batch "
        f"{shape.get('batch', '?')} × {shape.get('seq_len', '?')} tokens, "
        f"{outputs.get('threads_used', '?')} threads on {outputs.get('device_used', '?')}.",
        "",
        "| " + " | ".join(title for _, title in _COLUMNS) + " |",
        "|" + "|".join("---" if k in ("variant", "format") else "---:" for k, _ in _COLUMNS) + "|",
    ]
    for name, row in results.items():
        cells = [name] + [_cell(row.get(key)) for key, _ in _COLUMNS[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    gates = outputs.get("gate_results") or []
    if gates:
        lines += [
            "",
            "| gate | variant | condition | measured | result |",
            "|---|---|---|---:|---|",
        ]
        for g in gates:
            verdict = "pass" if g["passed"] else "**FAIL**"
            lines.append(
                f"| {g['metric']} | {g['variant']} | {g['condition']} | {_cell(g['value'])} "
                f"| {verdict} |"
            )
    extra = [
        f"| {name} | " + ", ".join(
            f"b{s['batch']}×{s['seq_len']}: p50 {s['p50_ms']:.2f} / p95 {s['p95_ms']:.2f} ms"
            for s in row.get("shapes", [])
        ) + " |"
        for name, row in results.items()
        if len(row.get("shapes", [])) > 1
    ]  # fmt: skip
    if extra:
        lines += ["", "| variant | latency per shape |", "|---|---|", *extra]
    return "\n".join(lines)


def write_report(folder: Path, outputs: dict[str, Any]) -> None:
    """Write report.json, report.md and chart.png into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = ("baseline", "results", "gate_results", "passed", "threads_used", "device_used")
    record = {k: outputs.get(k) for k in keys}
    (folder / "report.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    (folder / "report.md").write_text("# Benchmark\n\n" + markdown_table(outputs) + "\n")
    _chart(folder / "chart.png", outputs["results"])


def _chart(path: Path, results: dict[str, dict[str, Any]]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = list(results)
    p50 = [float(results[n].get("p50_ms") or 0) for n in names]
    p95 = [float(results[n].get("p95_ms") or 0) for n in names]
    size = [float(results[n].get("size_mb") or 0) for n in names]
    ppl = [results[n].get("perplexity") for n in names]
    fig = Figure(figsize=(9, 3.6), dpi=100)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    spread = [max(0.0, b - a) for a, b in zip(p50, p95, strict=True)]
    left.bar(names, p50, yerr=[[0] * len(names), spread], capsize=4, color="#4C72B0")
    left.set_title("forward latency (p50, bar to p95)")
    left.set_ylabel("ms")
    right.bar(names, size, color="#55A868")
    right.set_title("size on disk")
    right.set_ylabel("MB")
    for i, value in enumerate(ppl):
        if value is not None:
            right.annotate(f"ppl {float(value):.2f}", (i, size[i]), ha="center", va="bottom")
    for axis in (left, right):
        axis.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    fig.savefig(path)
