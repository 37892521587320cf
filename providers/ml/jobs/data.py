"""Reading a dataset snapshot in a job: the whole table, or its train or test part.

The split is recomputed from the manifest's seed wherever it is needed (training and
evaluation see the same rows) with numpy's legacy ``RandomState``, whose streams are stable
across numpy versions. It is stratified on the target when the target holds labels (integers,
strings, booleans), not when it holds continuous values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["feature_columns", "load_frame", "load_part", "part_indices", "split_indices"]


def _manifest(snapshot_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((snapshot_dir / "manifest.json").read_text())
    return data


def load_frame(snapshot_dir: str | Path) -> tuple[Any, dict[str, Any]]:
    """The snapshot's whole table (a pandas DataFrame) and its manifest."""
    import pandas as pd

    folder = Path(snapshot_dir)
    manifest = _manifest(folder)
    fmt, compression = manifest["format"], manifest.get("compression")
    frames = []
    for name in manifest["files"]:
        path = folder / name
        if fmt == "parquet":
            frames.append(pd.read_parquet(path))
        elif fmt == "jsonl":
            frames.append(pd.read_json(path, lines=True, compression=compression))
        else:
            sep = "\t" if fmt == "tsv" else ","
            frames.append(pd.read_csv(path, sep=sep, compression=compression))
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    return frame, manifest


def _is_label(values: Any) -> bool:
    return str(values.dtype.kind) in "iubOUS" or str(values.dtype) == "category"


def split_indices(labels: Any, split: dict[str, Any]) -> tuple[Any, Any]:
    """Sorted row indices of the train and test parts."""
    import numpy as np

    n = len(labels)
    if n == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    rng = np.random.RandomState(int(split.get("seed", 0)))
    fraction = float(split["test"])
    groups: list[Any]
    if split.get("stratify", True) and labels is not None and _is_label(labels):
        codes = np.unique(np.asarray(labels).astype(str), return_inverse=True)[1]
        groups = [np.flatnonzero(codes == c) for c in range(int(codes.max()) + 1)]
    else:
        groups = [np.arange(n)]
    test: list[Any] = []
    for rows in groups:
        count = round(fraction * len(rows))
        count = min(max(count, 1 if len(rows) > 1 else 0), max(len(rows) - 1, 0))
        test.append(rng.permutation(rows)[:count])
    test_idx = np.sort(np.concatenate(test)) if test else np.array([], dtype=int)
    mask = np.ones(n, dtype=bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx


def part_indices(frame: Any, manifest: dict[str, Any]) -> tuple[Any, Any] | None:
    """Train and test row indices of a snapshot's table; None when it is not split."""
    split = manifest.get("split")
    if not split:
        return None
    target = manifest.get("target")
    if target in frame.columns:
        return split_indices(frame[target].to_numpy(), split)
    return split_indices(frame.index.to_numpy(), {**split, "stratify": False})


def load_part(snapshot_dir: str | Path, part: str) -> tuple[Any, dict[str, Any]]:
    """The rows of ``part`` (train, test or all); without a split every part is all rows."""
    frame, manifest = load_frame(snapshot_dir)
    parts = None if part == "all" else part_indices(frame, manifest)
    if parts is None:
        return frame, manifest
    rows = parts[0] if part == "train" else parts[1]
    return frame.iloc[rows].reset_index(drop=True), manifest


def feature_columns(frame: Any, features: list[str] | None, target: str) -> list[str]:
    """The feature columns: as given, or every column but the target."""
    missing = [c for c in [*(features or []), target] if c not in frame.columns]
    if missing:
        raise ValueError(
            f"no column(s) {', '.join(map(repr, missing))} in the data "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )
    return list(features) if features else [str(c) for c in frame.columns if c != target]
