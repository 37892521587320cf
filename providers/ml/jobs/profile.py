"""Profile a dataset snapshot: row and column counts, column types, split sizes."""

from __future__ import annotations

from typing import Any

from providers.ml.jobs.data import load_frame, part_indices

__all__ = ["profile_dataset"]


def profile_dataset(snapshot_dir: str) -> dict[str, Any]:
    frame, manifest = load_frame(snapshot_dir)
    out: dict[str, Any] = {
        "rows": len(frame),
        "columns": len(frame.columns),
        "column_names": [str(c) for c in frame.columns],
        "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()},
        "train_rows": None,
        "test_rows": None,
    }
    parts = part_indices(frame, manifest)
    if parts is not None:
        out.update(train_rows=len(parts[0]), test_rows=len(parts[1]))
    print(f"profiled {out['rows']} rows x {out['columns']} columns")
    return out
