"""The benchmark's results table in Markdown: what ``opspec show`` prints and the report holds.

The table puts quality next to speed on every row: latency, speedup, generation throughput,
perplexity and its change, size and memory. The stored report (this table, its JSON and a
chart) is written by :mod:`providers.llm.jobs.report`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["markdown_table"]

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
