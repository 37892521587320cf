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
from providers.monitor.jobs.detectors.base import Array, ContextDetector, as_array, windows

__all__ = ["IsolationForestDetector"]


class IsolationForestDetector(ContextDetector):
    name: ClassVar[str] = "iforest"

    def __init__(self, sensitivity: float = 1.0, context: int = 8, seed: int = 0) -> None:
        super().__init__(sensitivity, context)
        self.seed = seed
        self.forest: Any = None

    def fit(self, history: Array) -> None:
        from sklearn.ensemble import IsolationForest

        history = as_array(history)
        if len(history) < 3 * self.context:
            raise NotEnoughData(
                f"the iforest detector needs at least {3 * self.context} samples of history"
            )
        self.forest = IsolationForest(random_state=self.seed).fit(windows(history, self.context))

    def context_scores(self, contexts: Array) -> Array:
        raw = np.asarray(-self.forest.score_samples(contexts), dtype=np.float64)
        scores: Array = raw / (0.5**self.sensitivity)
        return scores

    def state(self) -> dict[str, Any]:
        blob = base64.b64encode(pickle.dumps(self.forest)).decode("ascii")
        return {"context": self.context, "seed": self.seed, "forest": blob}

    def load_state(self, state: dict[str, Any]) -> None:
        self.context = int(state["context"])
        self.seed = int(state["seed"])
        self.forest = pickle.loads(base64.b64decode(state["forest"]))
