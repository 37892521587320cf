"""Event-wise precision, recall and F1 of flagged samples against labelled anomalies.

Runs of consecutive flagged samples are predicted events and runs of labelled samples are
true events. A predicted event is correct when it overlaps a true event; a true event is found
when some predicted event overlaps it. No point adjustment: a long flagged run that touches a
true event counts once, and every run that touches none counts against precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["EventScores", "event_scores", "runs"]


def runs(mask: npt.ArrayLike) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` index ranges of the runs of true values."""
    flags = np.asarray(mask, dtype=bool).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags, [0]])))
    return [(int(a), int(b)) for a, b in edges.reshape(-1, 2)]


@dataclass(frozen=True)
class EventScores:
    precision: float
    recall: float
    f1: float
    predicted: int
    true_events: int
    found: int


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def event_scores(flagged: npt.ArrayLike, labels: npt.ArrayLike) -> EventScores:
    predicted = runs(flagged)
    truth = runs(labels)
    correct = sum(any(_overlaps(p, t) for t in truth) for p in predicted)
    found = sum(any(_overlaps(p, t) for p in predicted) for t in truth)
    precision = correct / len(predicted) if predicted else 0.0
    recall = found / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return EventScores(precision, recall, f1, len(predicted), len(truth), found)
