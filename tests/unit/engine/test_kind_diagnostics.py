"""A field of another kind (monitor `type`, gpu_pool `kind`) is a diagnostic at the exact
file:line:col of the offending key, and a wrong tag at its value, naming the allowed ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.cli.main import main

FIXTURES = Path(__file__).parents[2] / "fixtures"


def _plan_errors(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    project = tmp_path / case
    shutil.copytree(FIXTURES / case, project)
    assert main(["-C", str(project), "plan"]) == 1
    return [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]


def test_monitor_fields_of_another_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _plan_errors("plan-error-kind-field-monitor", tmp_path, capsys) == [
        "main.ops.yaml:7:5: error: unknown field `window` for a threshold monitor "
        "(monitor.latency)",
        "main.ops.yaml:12:5: error: unknown field `detector` for a forecast monitor "
        "(monitor.capacity)",
        "main.ops.yaml:14:11: error: invalid `type` in monitor.errors",
    ]


def test_gpu_pool_fields_of_another_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _plan_errors("plan-error-kind-field-gpu-pool", tmp_path, capsys) == [
        "main.ops.yaml:4:5: error: unknown field `namespace` for a local gpu_pool (gpu_pool.here)",
        "main.ops.yaml:7:5: error: unknown field `acelerator` for a kubernetes gpu_pool "
        "(gpu_pool.cluster)",
        "main.ops.yaml:9:11: error: invalid `kind` in gpu_pool.cloud",
        "main.ops.yaml:12:18: error: invalid `accelerator` in gpu_pool.wide",
    ]
