"""The detector interface: fit on history, score new samples, save and load the fit.

A detector turns each scored sample into a *score*: how many times its anomaly threshold the
sample is (``score > 1`` means anomalous). Thresholds are part of the fit and scale with the
monitor's ``sensitivity`` (2 flags more, 0.5 flags less), so every detector reads the same way
in alerts and in ``opspec monitor detect --format json``.
"""

from __future__ import annotations

import abc
import contextlib
import importlib
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "Array",
    "ContextDetector",
    "Detector",
    "min_over_windows",
    "single_threaded_blas",
    "windows",
]

Array = npt.NDArray[np.float64]

_BLAS_LIMIT = threading.local()


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run BLAS on one thread inside this block (nested blocks cost nothing).

    Detectors multiply many small matrices; BLAS threads spin up for each product and, on a
    busy machine, cost far more than they bring (measured: 25x slower on two shared cores).
    """
    if getattr(_BLAS_LIMIT, "active", False):
        yield
        return
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        yield
        return
    _BLAS_LIMIT.active = True
    try:
        with threadpoolctl.threadpool_limits(1, user_api="blas"):
            yield
    finally:
        _BLAS_LIMIT.active = False


def windows(values: Array, width: int) -> Array:
    """Every run of ``width`` consecutive samples, one per row (a view, no copy)."""
    return np.lib.stride_tricks.sliding_window_view(values, width)


def min_over_windows(window_scores: Array, width: int) -> Array:
    """Score each sample by the lowest score of the windows that contain it.

    A sample is then anomalous only when every context around it is, which puts the flags on
    the anomaly itself rather than on its normal neighbours that share a window with it.
    """
    padded = np.concatenate([np.full(width - 1, np.inf), window_scores, np.full(width - 1, np.inf)])
    return np.asarray(windows(padded, width).min(axis=1), dtype=np.float64)


class Detector(abc.ABC):
    """Base class: subclasses implement fitting, scoring and their saved parameters."""

    name: ClassVar[str]

    def __init__(self, sensitivity: float = 1.0) -> None:
        if sensitivity <= 0:
            raise ValueError("sensitivity must be positive")
        self.sensitivity = float(sensitivity)

    @abc.abstractmethod
    def fit(self, history: Array) -> None:
        """Learn what normal looks like from ``history`` (raises NotEnoughData)."""

    @abc.abstractmethod
    def score(self, values: Array, start: int = 0) -> Array:
        """Scores of ``values[start:]``; earlier samples serve as context only."""

    def fit_score(self, values: Array) -> Array:
        """Unsupervised use: fit on ``values`` and score them in-sample."""
        self.fit(values)
        return self.score(values, 0)

    @abc.abstractmethod
    def state(self) -> dict[str, Any]:
        """The fitted parameters as JSON-ready values."""

    @abc.abstractmethod
    def load_state(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state` returned."""

    @property
    def context_size(self) -> int:
        """How many samples before the first scored one the detector looks at."""
        return 0

    def to_json(self) -> dict[str, Any]:
        return {"detector": self.name, "sensitivity": self.sensitivity, "state": self.state()}


class ContextDetector(Detector):
    """A detector of *contexts*, runs of ``context`` consecutive samples: it scores each
    context, and a sample scores the lowest of the contexts that contain it."""

    def __init__(self, sensitivity: float = 1.0, context: int = 8) -> None:
        super().__init__(sensitivity)
        self.context = context

    @property
    def context_size(self) -> int:
        return self.context - 1

    @abc.abstractmethod
    def context_scores(self, contexts: Array) -> Array:
        """The score of each context (one per row); 1 is the anomaly threshold."""

    def score(self, values: Array, start: int = 0) -> Array:
        values = as_array(values)
        begin = max(0, start - self.context + 1)
        segment = values[begin:]
        if len(segment) < self.context:
            return np.zeros(len(values) - start)
        per_context = self.context_scores(windows(segment, self.context))
        return min_over_windows(per_context, self.context)[start - begin :]


def as_array(values: Any) -> Array:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError("a series must be one-dimensional")
    return array
