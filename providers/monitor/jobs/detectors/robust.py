"""Value-based detectors: robust z-score (median and MAD) and the static 3-sigma rule.

Both judge each sample by its value alone, against the level and spread of the history. They
are cheap and easy to explain, and right for metrics without shape (error counts, queue
lengths); they miss anomalies whose values stay in the normal range. ``sigma`` is the classic
static threshold, kept as a baseline: its mean and standard deviation are pulled by the very
outliers it should catch, which the median and MAD are not.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from providers.monitor.errors import NotEnoughData
from providers.monitor.jobs.detectors.base import Array, Detector, as_array

__all__ = ["MadDetector", "SigmaDetector"]


class _LevelDetector(Detector):
    """Score = |value - center| / (k x scale), k = base_k / sensitivity."""

    base_k: ClassVar[float]

    def __init__(self, sensitivity: float = 1.0) -> None:
        super().__init__(sensitivity)
        self.center = 0.0
        self.scale = 1.0

    def _estimate(self, history: Array) -> tuple[float, float]:
        raise NotImplementedError

    def fit(self, history: Array) -> None:
        history = as_array(history)
        if len(history) < 2:
            raise NotEnoughData(f"{self.name} needs at least 2 samples of history")
        center, scale = self._estimate(history)
        floor = 1e-6 * (abs(center) + 1.0)
        self.center, self.scale = center, max(scale, floor)

    def score(self, values: Array, start: int = 0) -> Array:
        values = as_array(values)[start:]
        k = self.base_k / self.sensitivity
        return np.asarray(np.abs(values - self.center) / (k * self.scale), dtype=np.float64)

    def state(self) -> dict[str, Any]:
        return {"center": self.center, "scale": self.scale}

    def load_state(self, state: dict[str, Any]) -> None:
        self.center = float(state["center"])
        self.scale = float(state["scale"])


class MadDetector(_LevelDetector):
    """Robust z-score; 3.5 is Iglewicz and Hoaglin's cut-off for the modified z-score."""

    name: ClassVar[str] = "mad"
    base_k: ClassVar[float] = 3.5

    def _estimate(self, history: Array) -> tuple[float, float]:
        median = float(np.median(history))
        return median, 1.4826 * float(np.median(np.abs(history - median)))


class SigmaDetector(_LevelDetector):
    """Static mean +- 3 standard deviations."""

    name: ClassVar[str] = "sigma"
    base_k: ClassVar[float] = 3.0

    def _estimate(self, history: Array) -> tuple[float, float]:
        return float(np.mean(history)), float(np.std(history))
