"""Jobs that fit what anomaly and drift monitors need, run in a child process at apply.

``fit_anomaly`` reads the source's history, fits one detector per series and stores them all
as one JSON artifact; ``fit_drift`` summarises the reference data per feature. Both return the
artifact's URI with a few facts for the plan and state. They are called by the engine's job
runner (``module:function`` with JSON keyword arguments), so their log is kept under
``.opspec/runs/``.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.artifacts import ArtifactStore
from providers.monitor.errors import MonitorError, NotEnoughData
from providers.monitor.jobs.detectors import make_detector
from providers.monitor.jobs.detectors.base import single_threaded_blas
from providers.monitor.jobs.series import read_series, series_key
from providers.monitor.source_uri import SourceRef

__all__ = ["fit_anomaly", "fit_drift", "load_artifact", "read_table"]

ARTIFACT_VERSION = 1


def _put_json(artifacts_dir: str, document: dict[str, Any]) -> str:
    with tempfile.TemporaryDirectory(prefix="opspec-fit-") as tmp:
        path = Path(tmp) / "detector.json"
        path.write_text(json.dumps(document, sort_keys=True))
        return ArtifactStore(Path(artifacts_dir)).put(path)


def load_artifact(artifacts_dir: str, uri: str) -> dict[str, Any]:
    """A fitted detector or profile; MonitorError when it is gone (apply rebuilds it)."""
    store = ArtifactStore(Path(artifacts_dir))
    if not store.exists(uri):
        raise MonitorError(f"the fitted detector {uri} is missing: run `opspec apply`")
    document: dict[str, Any] = json.loads(store.path(uri).read_text())
    return document


def fit_anomaly(
    project_dir: str,
    artifacts_dir: str,
    source_uri: str,
    detector: str,
    sensitivity: float,
    context: int,
    train_until: float | None,
    training_window_s: float,
) -> dict[str, Any]:
    ref = SourceRef.from_uri(source_uri)
    until = train_until
    if until is None and ref.kind == "prometheus":
        until = time.time()
    start = None if until is None else until - training_window_s
    fitted: list[dict[str, Any]] = []
    skipped: list[str] = []
    last_seen = 0.0
    for series in read_series(ref, project_dir, start, until):
        key = series_key(series.labels)
        model = make_detector(detector, sensitivity=sensitivity, context=context)
        try:
            with single_threaded_blas():
                model.fit(series.values)
        except NotEnoughData as exc:
            print(f"skipping {key}: {exc}")
            skipped.append(key)
            continue
        last_seen = max(last_seen, float(series.times[-1]))
        fitted.append({"key": key, "labels": series.labels, "model": model.to_json()})
        print(f"fitted {detector} on {key}: {len(series.values)} samples")
    if not fitted:
        raise NotEnoughData(
            f"no series of {ref.display} has enough history to train"
            + (f" (skipped: {', '.join(skipped)})" if skipped else "")
        )
    document = {
        "version": ARTIFACT_VERSION,
        "kind": "anomaly",
        "detector": detector,
        "trained_until": until if until is not None else last_seen,
        "series": fitted,
    }
    return {
        "detector_uri": _put_json(artifacts_dir, document),
        "trained_series": len(fitted),
        "trained_until": document["trained_until"],
    }


def read_table(project_dir: str, path: str) -> Any:
    """A CSV or Parquet file (by suffix) as a pandas DataFrame."""
    import pandas as pd

    from providers.monitor.paths import resolve_data_path

    location = resolve_data_path(project_dir, path)
    if location.suffix.lower() in {".parquet", ".pq"}:
        return pd.read_parquet(location)
    return pd.read_csv(location)


def numeric_features(frame: Any, features: list[str] | None) -> list[str]:
    import pandas as pd

    if features:
        return list(features)
    return [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]


def fit_drift(
    project_dir: str, artifacts_dir: str, reference: str, features: list[str] | None
) -> dict[str, Any]:
    from providers.monitor.jobs.drift import profile_feature

    frame = read_table(project_dir, reference)
    names = numeric_features(frame, features)
    profiles = {
        name: profile_feature(frame[name].to_numpy(dtype=float)).to_json() for name in names
    }
    document = {"version": ARTIFACT_VERSION, "kind": "drift", "features": profiles}
    print(f"profiled {len(names)} features of {reference} ({len(frame)} rows)")
    return {"detector_uri": _put_json(artifacts_dir, document), "trained_series": len(names)}
