"""Job: write a benchmark's report folder: report.json, report.md and a chart.

It runs in a child process because the chart needs matplotlib (Agg, no pyplot state), which
planning and the engine never import. The chart shows latency and size per variant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from providers.llm.report import markdown_table

__all__ = ["write_report"]


def write_report(folder: str | Path, outputs: dict[str, Any]) -> None:
    """Write report.json, report.md and chart.png into ``folder``."""
    folder = Path(folder)
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
