"""Detection quality of the anomaly detectors on labelled series shipped inside aeon (offline).

Run: ``.venv/bin/python benchmarks/bench_monitor_quality.py [--format text|json]``.

Series (``../shared/ENVIRONMENT.md``): the UCR anomaly archive's InternalBleeding16 (7,501
points, one anomaly of 12 points; its first 1,200 points are the archive's anomaly-free
training split) and GutenTAG's ``ecg-diff-count-3`` (10,000 test points with three labelled
windows of 100 points; fitted on its anomaly-free 10,000-point training series, prepended).
Each detector runs with its defaults through :func:`providers.monitor.jobs.adhoc.score_series`, the
function behind ``opspec monitor detect`` -- nothing is tuned per series. Also shown: the
unsupervised mode (no ``--fit-rows``: fit and score the test series itself) and two baselines,
a static 3-sigma threshold and a plain scikit-learn IsolationForest on the values.
Metric: event-wise precision/recall/F1 (providers/monitor/jobs/detectors/events.py). ``--grid``
shows how the default detector's F1 moves when its context and sensitivity change.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from providers.monitor.jobs.adhoc import score_series
from providers.monitor.jobs.detectors.base import Array
from providers.monitor.jobs.detectors.events import event_scores

DETECTORS = ("discord", "mad", "seasonal", "iforest", "sigma")


@dataclass(frozen=True)
class Series:
    name: str
    values: Array
    labels: Array
    fit_rows: int


def _aeon_data() -> Path:
    spec = importlib.util.find_spec("aeon")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("aeon is not installed (pip install aeon)")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data"


def _read(path: Path) -> tuple[Array, Array]:
    with path.open(newline="") as f:
        rows = list(csv.reader(f))[1:]
    return (
        np.array([float(r[1]) for r in rows]),
        np.array([float(r[-1]) for r in rows]),
    )


def load_series() -> list[Series]:
    data = _aeon_data()
    ucr_x, ucr_y = _read(data / "KDD-TSAD_135" / "135_UCR_Anomaly_InternalBleeding16_TEST.csv")
    train_x, _ = _read(data / "UnitTest" / "ecg-diff-count-3_TRAIN_NA.csv")
    ecg_x, ecg_y = _read(data / "UnitTest" / "ecg-diff-count-3_TEST.csv")
    return [
        Series("UCR InternalBleeding16", ucr_x, ucr_y, 1200),
        Series(
            "ECG ecg-diff-count-3",
            np.concatenate([train_x, ecg_x]),
            np.concatenate([np.zeros(len(train_x)), ecg_y]),
            len(train_x),
        ),
    ]


def _plain_iforest(values: Array, fit_rows: int | None) -> Array:
    from sklearn.ensemble import IsolationForest

    fit = values if fit_rows is None else values[:fit_rows]
    forest = IsolationForest(random_state=0).fit(fit.reshape(-1, 1))
    return np.where(forest.predict(values.reshape(-1, 1)) == -1, 2.0, 0.0)


def evaluate(
    series: Series, method: str, supervised: bool, sensitivity: float = 1.0, context: int = 8
) -> dict[str, object]:
    values, labels = series.values, series.labels
    fit_rows: int | None = series.fit_rows
    if not supervised:
        values, labels, fit_rows = values[series.fit_rows :], labels[series.fit_rows :], None
    started = time.perf_counter()
    if method == "iforest-plain":
        scores = _plain_iforest(values, fit_rows)
    else:
        scores = score_series(values, fit_rows, method, sensitivity=sensitivity, context=context)
    elapsed = time.perf_counter() - started
    flagged = np.nan_to_num(scores, nan=0.0) > 1.0
    start = fit_rows or 0
    result = event_scores(flagged[start:], labels[start:])
    return {
        "series": series.name,
        "mode": "fit on train split" if supervised else "unsupervised",
        "method": method,
        "precision": round(result.precision, 3),
        "recall": round(result.recall, 3),
        "f1": round(result.f1, 3),
        "events": result.predicted,
        "true_events": result.true_events,
        "seconds": round(elapsed, 2),
    }


def run_all() -> list[dict[str, object]]:
    methods = (*DETECTORS, "iforest-plain")
    return [
        evaluate(s, m, supervised)
        for supervised in (True, False)
        for s in load_series()
        for m in methods
    ]


def grid() -> list[dict[str, object]]:
    """The default detector's F1 around its defaults (context 8, sensitivity 1)."""
    rows = []
    for s in load_series():
        for context in (4, 6, 8, 12, 16):
            for sensitivity in (0.5, 1.0, 2.0):
                row = evaluate(s, "discord", True, sensitivity=sensitivity, context=context)
                rows.append({**row, "method": f"discord c={context} s={sensitivity:g}"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--grid", action="store_true", help="vary the default detector's context and sensitivity"
    )
    args = parser.parse_args()
    rows = grid() if args.grid else run_all()
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return
    print(f"{'series':24} {'mode':18} {'method':22} {'P':>6} {'R':>6} {'F1':>6} {'events':>7} s")
    for r in rows:
        print(
            f"{r['series']:24} {r['mode']:18} {r['method']:22} {r['precision']:>6} "
            f"{r['recall']:>6} {r['f1']:>6} {r['events']:>7} {r['seconds']}"
        )


if __name__ == "__main__":
    main()
