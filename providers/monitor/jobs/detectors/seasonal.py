"""Seasonal baseline: each sample against the same phase of the previous cycles.

The period is the first autocorrelation peak of the history above 0.3 (none: the previous
sample serves as baseline). The baseline of sample t is the median of the samples one, two and
three periods earlier, so a single odd cycle does not become the baseline of the next one; the
residual is scored with a robust z-score (median and MAD of the history's residuals,
k = 5 / sensitivity). Good for clean daily or weekly cycles; a cycle whose length wanders makes
large residuals on steep slopes, which is why the default detector compares shapes instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from providers.monitor.errors import NotEnoughData
from providers.monitor.jobs.detectors.base import Array, Detector, as_array

__all__ = ["SeasonalDetector", "estimate_period"]

_BASE_K = 5.0
_MIN_CORRELATION = 0.3
_CYCLES = 3


def estimate_period(history: Array, min_lag: int = 2) -> int:
    """The lag of the first autocorrelation peak above 0.3 within a third of the history."""
    centered = history - history.mean()
    n = len(centered)
    spectrum = np.fft.rfft(centered, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[: n // 3 + 1]
    if acf[0] <= 0:
        return 0
    acf = acf / acf[0]
    for lag in range(min_lag, len(acf) - 1):
        if acf[lag] > _MIN_CORRELATION and acf[lag - 1] < acf[lag] >= acf[lag + 1]:
            return lag
    return 0


def residuals(values: Array, period: int) -> Array:
    """``values[t]`` minus its seasonal baseline, for every t that has one."""
    if period == 0:
        return np.asarray(np.diff(values), dtype=np.float64)
    lags = [values[_CYCLES * period - k * period : len(values) - k * period] for k in (1, 2, 3)]
    baseline = np.median(np.vstack(lags), axis=0)
    return np.asarray(values[_CYCLES * period :] - baseline, dtype=np.float64)


class SeasonalDetector(Detector):
    name: ClassVar[str] = "seasonal"

    def __init__(self, sensitivity: float = 1.0) -> None:
        super().__init__(sensitivity)
        self.period = 0
        self.center = 0.0
        self.scale = 1.0

    @property
    def context_size(self) -> int:
        return _CYCLES * self.period if self.period else 1

    def fit(self, history: Array) -> None:
        history = as_array(history)
        if len(history) < 8:
            raise NotEnoughData("the seasonal detector needs at least 8 samples of history")
        self.period = estimate_period(history)
        if self.period and len(history) < (_CYCLES + 1) * self.period:
            self.period = 0
        res = residuals(history, self.period)
        self.center = float(np.median(res))
        spread = 1.4826 * float(np.median(np.abs(res - self.center)))
        self.scale = max(spread, 1e-6 * (float(np.std(history)) + 1.0))

    def score(self, values: Array, start: int = 0) -> Array:
        values = as_array(values)
        lead = self.context_size
        res = residuals(values, self.period)
        scores = np.abs(res - self.center) / ((_BASE_K / self.sensitivity) * self.scale)
        # Samples without a full baseline (the first cycles of the input) are not judged.
        full = np.concatenate([np.zeros(lead), scores])
        return np.asarray(full[start:], dtype=np.float64)

    def state(self) -> dict[str, Any]:
        return {"period": self.period, "center": self.center, "scale": self.scale}

    def load_state(self, state: dict[str, Any]) -> None:
        self.period = int(state["period"])
        self.center = float(state["center"])
        self.scale = float(state["scale"])
