"""The default detector against the baselines on aeon's labelled series (offline data).

Runs the same evaluation as ``benchmarks/bench_monitor_quality.py`` (imported from there, so
the recorded figures and this check cannot drift apart) for the default detector and the two
baselines the issue names: a static 3-sigma threshold and a plain IsolationForest on values.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("aeon", reason="aeon ships the labelled series (test extra)")

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_monitor_quality.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_monitor_quality", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "series_index", [0, 1], ids=["ucr-internal-bleeding16", "ecg-diff-count-3"]
)
def test_default_detector_clearly_beats_both_baselines(series_index: int) -> None:
    bench = _bench()
    series = bench.load_series()[series_index]
    f1 = {
        m: bench.evaluate(series, m, supervised=True)["f1"]
        for m in ("discord", "sigma", "iforest-plain")
    }
    assert f1["discord"] >= 0.5, f1
    assert f1["discord"] >= max(f1["sigma"], f1["iforest-plain"]) + 0.3, f1
