"""Ad-hoc detection on one ``timestamp,value`` CSV: what ``opspec monitor detect`` runs.

Timestamps are kept exactly as written in the file (the output names the flagged ones as the
input spells them). With ``fit_rows`` the detector fits on the first rows and scores the rest;
without, it fits on the whole series and scores it in-sample (unsupervised).
"""

from __future__ import annotations

import contextlib
import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from providers.monitor.errors import SeriesFileError
from providers.monitor.jobs.detectors import DEFAULT_DETECTOR, Array, make_detector
from providers.monitor.jobs.detectors.base import single_threaded_blas

__all__ = ["Flag", "detect_flags", "read_series_csv", "score_series"]


_THREADED_FROM = 5000


@dataclass(frozen=True)
class Flag:
    timestamp: str
    score: float


def _columns(header: list[str]) -> tuple[int, int]:
    names = [h.strip().lower() for h in header]
    ts = names.index("timestamp") if "timestamp" in names else 0
    val = names.index("value") if "value" in names else (1 if ts != 1 else 0)
    return ts, val


def read_series_csv(path: Path) -> tuple[list[str], Array]:
    """Timestamps (as written) and values of a CSV whose header names them.

    The columns are ``timestamp`` and ``value`` when so named, else the first two. Rows with
    an empty or non-numeric value are an error naming the line.
    """
    try:
        handle = path.open(newline="")
    except OSError as exc:
        raise SeriesFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or len(header) < 2:
            raise SeriesFileError(f"{path}: expected a header with timestamp and value columns")
        ts_col, value_col = _columns(header)
        stamps: list[str] = []
        values: list[float] = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                value = float(row[value_col])
            except (ValueError, IndexError):
                raise SeriesFileError(f"{path}:{line}: not a number in the value column") from None
            if not math.isfinite(value):
                raise SeriesFileError(f"{path}:{line}: value is not finite")
            stamps.append(row[ts_col])
            values.append(value)
    return stamps, np.asarray(values, dtype=np.float64)


def score_series(
    values: Array,
    fit_rows: int | None,
    detector: str = DEFAULT_DETECTOR,
    sensitivity: float = 1.0,
    context: int = 8,
) -> Array:
    """Scores aligned with ``values``; rows used for fitting score ``nan`` when ``fit_rows``."""
    model = make_detector(detector, sensitivity=sensitivity, context=context)
    if fit_rows is not None and not 0 < fit_rows < len(values):
        raise SeriesFileError(f"--fit-rows must be between 1 and {len(values) - 1}")
    # Long series make big matrix products, where BLAS threads pay off.
    limit = single_threaded_blas() if len(values) < _THREADED_FROM else contextlib.nullcontext()
    with limit:
        if fit_rows is None:
            return model.fit_score(values)
        model.fit(values[:fit_rows])
        scores = np.full(len(values), np.nan)
        scores[fit_rows:] = model.score(values, fit_rows)
    return scores


def detect_flags(stamps: list[str], scores: Array) -> list[Flag]:
    """The samples scoring above 1, in input order."""
    return [Flag(stamps[i], float(scores[i])) for i in np.flatnonzero(scores > 1.0)]
