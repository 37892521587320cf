"""The default detector: distance of each short context to the nearest one seen in history.

Every run of ``context`` consecutive samples (a *context*) of the history is kept. A new
context is scored by its Euclidean distance to the nearest historical context; the threshold
is a robust statistic of the same distances within the history (each context against its
nearest non-overlapping neighbour): median + k x 1.4826 x MAD with k = 10 / sensitivity.
A sample's score is the lowest ratio over the contexts that contain it.

Why this is the default: it learns the shapes a metric normally takes (every phase of a daily
or per-beat cycle is in the history), so it needs no period estimate, is unaffected by phase
shifts, and sees anomalies whose values stay in the normal range (jitter, a deformed cycle, a
missing peak) that value-based rules (3-sigma, MAD, IsolationForest on values) miss; see
``benchmarks/RESULTS.md`` (Monitors). These are time-series *discords* (Keogh et al.).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from providers.monitor.errors import NotEnoughData
from providers.monitor.jobs.detectors.base import (
    Array,
    ContextDetector,
    as_array,
    min_over_windows,
    windows,
)

__all__ = ["DiscordDetector"]

_BASE_K = 10.0
# History beyond this many samples is dropped (the most recent kept): bounds memory and time.
MAX_HISTORY = 20_000
_CHUNK = 1024


def nearest_distances(queries: Array, history: Array, exclusion: int = 0) -> Array:
    """Distance of each query row to its nearest history row.

    With ``exclusion`` > 0, queries *are* the history and rows closer than ``exclusion`` in
    position (overlapping contexts) are not neighbours.
    """
    queries = np.ascontiguousarray(queries)
    history = np.ascontiguousarray(history)
    norms = np.einsum("ij,ij->i", history, history)
    # |q - h|^2 = |q|^2 + (|h|^2 - 2 q.h); |q|^2 is constant per row, added after the min.
    scaled = np.ascontiguousarray(-2.0 * history.T)
    band = np.arange(-exclusion + 1, exclusion) if exclusion else None
    out = np.empty(len(queries))
    for begin in range(0, len(queries), _CHUNK):
        block = queries[begin : begin + _CHUNK]
        dist = block @ scaled
        dist += norms
        if band is not None:
            rows = np.arange(len(block))[:, None]
            cols = np.clip(rows + begin + band[None, :], 0, len(history) - 1)
            dist[rows, cols] = np.inf
        out[begin : begin + len(block)] = dist.min(axis=1)
    out += np.einsum("ij,ij->i", queries, queries)
    return np.asarray(np.sqrt(np.maximum(out, 0.0)), dtype=np.float64)


class DiscordDetector(ContextDetector):
    name: ClassVar[str] = "discord"

    def __init__(self, sensitivity: float = 1.0, context: int = 8) -> None:
        if context < 2:
            raise ValueError("context must be at least 2 samples")
        super().__init__(sensitivity, context)
        self.history: Array = np.empty(0)
        self.threshold = 0.0

    def _threshold(self, self_distances: Array, history: Array) -> float:
        finite = self_distances[np.isfinite(self_distances)]
        median = float(np.median(finite))
        spread = 1.4826 * float(np.median(np.abs(finite - median)))
        # A noiseless history has no spread: any change of shape is then anomalous.
        floor = 1e-6 * (float(np.std(history)) + abs(float(np.mean(history)))) + 1e-12
        return median + (_BASE_K / self.sensitivity) * max(spread, floor)

    def fit(self, history: Array) -> None:
        history = as_array(history)[-MAX_HISTORY:]
        if len(history) < 3 * self.context:
            raise NotEnoughData(
                f"the discord detector needs at least {3 * self.context} samples of history, "
                f"got {len(history)}"
            )
        contexts = windows(history, self.context)
        self_distances = nearest_distances(contexts, contexts, exclusion=self.context)
        self.history = history
        self.threshold = self._threshold(self_distances, history)

    def context_scores(self, contexts: Array) -> Array:
        return nearest_distances(contexts, windows(self.history, self.context)) / self.threshold

    def fit_score(self, values: Array) -> Array:
        values = as_array(values)
        self.fit(values)
        contexts = windows(self.history, self.context)
        distances = nearest_distances(contexts, contexts, exclusion=self.context)
        recent = min_over_windows(distances / self.threshold, self.context)
        older = len(values) - len(self.history)
        if older == 0:
            return recent
        # Samples beyond MAX_HISTORY are scored against the kept history, like new ones.
        return np.concatenate([self.score(values[: older + self.context - 1])[:older], recent])

    def state(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "threshold": self.threshold,
            "history": self.history.tolist(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        self.context = int(state["context"])
        self.threshold = float(state["threshold"])
        self.history = as_array(state["history"])
