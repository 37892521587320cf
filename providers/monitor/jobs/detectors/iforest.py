"""IsolationForest (scikit-learn) over contexts of consecutive samples.

Each run of ``context`` samples is a point in ``context`` dimensions; the forest isolates the
unusual ones. The anomaly score is scikit-learn's (``-score_samples``, 0.5 is its own "auto"
boundary); the threshold is ``0.5 ** sensitivity``. A sample's score is the lowest ratio over
the contexts that contain it, as for the discord detector. The fitted forest is saved with
pickle: loading an artifact runs code, so only artifacts this project wrote are loaded.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any, ClassVar

import numpy as np

from providers.monitor.errors import NotEnoughData
from providers.monitor.jobs.detectors.base import (
    Array,
    Detector,
    as_array,
    min_over_windows,
    windows,
)

__all__ = ["IsolationForestDetector"]


class IsolationForestDetector(Detector):
    name: ClassVar[str] = "iforest"

    def __init__(self, sensitivity: float = 1.0, context: int = 8, seed: int = 0) -> None:
        super().__init__(sensitivity)
        self.context = context
        self.seed = seed
        self.forest: Any = None

    @property
    def context_size(self) -> int:
        return self.context - 1

    def fit(self, history: Array) -> None:
        from sklearn.ensemble import IsolationForest

        history = as_array(history)
        if len(history) < 3 * self.context:
            raise NotEnoughData(
                f"the iforest detector needs at least {3 * self.context} samples of history"
            )
        self.forest = IsolationForest(random_state=self.seed).fit(windows(history, self.context))

    def score(self, values: Array, start: int = 0) -> Array:
        values = as_array(values)
        begin = max(0, start - self.context + 1)
        segment = values[begin:]
        if len(segment) < self.context:
            return np.zeros(len(values) - start)
        raw = -self.forest.score_samples(windows(segment, self.context))
        ratio = np.asarray(raw, dtype=np.float64) / (0.5**self.sensitivity)
        return min_over_windows(ratio, self.context)[start - begin :]

    def state(self) -> dict[str, Any]:
        blob = base64.b64encode(pickle.dumps(self.forest)).decode("ascii")
        return {"context": self.context, "seed": self.seed, "forest": blob}

    def load_state(self, state: dict[str, Any]) -> None:
        self.context = int(state["context"])
        self.seed = int(state["seed"])
        self.forest = pickle.loads(base64.b64decode(state["forest"]))
