"""Benchmark gates, ratios against the baseline, and the rendered table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from providers.llm.gates import add_ratios, evaluate_gates, failure_message
from providers.llm.jobs.report import write_report
from providers.llm.report import markdown_table
from specs.gates import parse_condition


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<= 50", ("<=", 50.0)), (">=1.5", (">=", 1.5)), (" < .5 ", ("<", 0.5)), ("!= 0", ("!=", 0))],
)
def test_parse_condition(text: str, expected: tuple[str, float]) -> None:
    assert parse_condition(text) == expected


@pytest.mark.parametrize("text", ["50", "=< 3", "<= fast", "<= 1 2", ""])
def test_malformed_conditions(text: str) -> None:
    with pytest.raises(ValueError, match="malformed gate condition"):
        parse_condition(text)


def results() -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {
        "fp32": {"p50_ms": 30.0, "p95_ms": 33.0, "size_mb": 540.0, "perplexity": 20.0,
                 "tokens_per_s": 40.0, "shapes": [{"batch": 1, "seq_len": 64,
                                                   "p50_ms": 30.0, "p95_ms": 33.0}]},
        "int8": {"p50_ms": 12.0, "p95_ms": 15.0, "size_mb": 135.0, "perplexity": 21.0,
                 "tokens_per_s": 80.0, "shapes": [{"batch": 1, "seq_len": 64,
                                                   "p50_ms": 12.0, "p95_ms": 15.0}]},
    }  # fmt: skip
    add_ratios(rows, "fp32")
    return rows


def test_ratios_against_the_baseline() -> None:
    rows = results()
    assert rows["fp32"]["speedup"] == 1.0 and rows["fp32"]["perplexity_increase_pct"] == 0.0
    assert rows["int8"]["speedup"] == 2.5
    assert rows["int8"]["size_ratio"] == 0.25
    assert rows["int8"]["perplexity_increase_pct"] == 5.0
    assert rows["int8"]["generation_speedup"] == 2.0


def test_common_gates_skip_the_baseline_and_variant_gates_add_to_them() -> None:
    records = evaluate_gates(
        results(), "fp32", {"speedup": ">= 2"}, {"fp32": {"p95_ms": "<= 40"}, "int8": {}}
    )
    assert [(r["variant"], r["metric"], r["passed"]) for r in records] == [
        ("fp32", "p95_ms", True),
        ("int8", "speedup", True),
    ]


def test_failing_gate_message_carries_the_measured_value() -> None:
    records = evaluate_gates(results(), "fp32", {"perplexity_increase_pct": "<= 2"}, {})
    assert not records[0]["passed"]
    assert failure_message(records) == (
        "gate perplexity_increase_pct <= 2 failed for variant int8: measured 5.0"
    )


def test_missing_metric_fails_its_gate() -> None:
    rows = results()
    del rows["int8"]["tokens_per_s"]
    (record,) = evaluate_gates(rows, "fp32", {"tokens_per_s": ">= 1"}, {})
    assert record["value"] is None and not record["passed"]


def outputs() -> dict[str, Any]:
    rows = results()
    gates = evaluate_gates(rows, "fp32", {"speedup": ">= 3"}, {})
    return {"results": rows, "baseline": "fp32", "gate_results": gates, "passed": False,
            "threads_used": 2, "device_used": "cpu"}  # fmt: skip


def test_table_shows_quality_next_to_speed() -> None:
    table = markdown_table(outputs())
    header = next(line for line in table.splitlines() if line.startswith("| variant"))
    assert header.index("p50 ms") < header.index("perplexity") < header.index("size MB")
    assert "| int8 | – | 12.00 | 15.00 | 2.50 | 80.00 | 21.00 | 5.00 |" in table
    assert "| speedup | int8 | >= 3 | 2.50 | **FAIL** |" in table


def test_table_of_a_benchmark_that_has_not_run() -> None:
    assert "has not run" in markdown_table({})


def test_report_files(tmp_path: Path) -> None:
    write_report(tmp_path / "r", outputs())
    assert (tmp_path / "r" / "chart.png").read_bytes()[:4] == b"\x89PNG"
    assert '"baseline": "fp32"' in (tmp_path / "r" / "report.json").read_text()
    assert (tmp_path / "r" / "report.md").read_text().startswith("# Benchmark")
