"""Anomaly detectors for ``monitor`` resources of type ``anomaly`` and ``opspec monitor detect``.

Usage::

    from providers.monitor.jobs.detectors import make_detector, load_detector

    detector = make_detector("discord", sensitivity=1.0)
    detector.fit(history)                    # numpy array of past values
    scores = detector.score(values, start)   # scores of values[start:]; > 1 is anomalous
    saved = detector.to_json()               # what the artifact keeps
    same = load_detector(saved)

``discord`` (the default) compares each short context with the nearest one in the history;
``mad`` and ``sigma`` judge values against the history's level; ``seasonal`` compares each
sample with the same phase of earlier cycles; ``iforest`` is scikit-learn's IsolationForest
over contexts. Only ``iforest`` imports scikit-learn, and only when it fits.
"""

from __future__ import annotations

from typing import Any

from providers.monitor.jobs.detectors.base import Array, ContextDetector, Detector
from providers.monitor.jobs.detectors.discord import DiscordDetector
from providers.monitor.jobs.detectors.iforest import IsolationForestDetector
from providers.monitor.jobs.detectors.robust import MadDetector, SigmaDetector
from providers.monitor.jobs.detectors.seasonal import SeasonalDetector

__all__ = [
    "DEFAULT_DETECTOR",
    "DETECTORS",
    "Array",
    "Detector",
    "load_detector",
    "make_detector",
]

DEFAULT_DETECTOR = "discord"

DETECTORS: dict[str, type[Detector]] = {
    cls.name: cls
    for cls in (
        DiscordDetector,
        MadDetector,
        SeasonalDetector,
        IsolationForestDetector,
        SigmaDetector,
    )
}


def make_detector(name: str, sensitivity: float = 1.0, context: int = 8) -> Detector:
    """A new, unfitted detector; ValueError for an unknown name."""
    try:
        cls = DETECTORS[name]
    except KeyError:
        known = ", ".join(sorted(DETECTORS))
        raise ValueError(f"unknown detector {name!r} (known: {known})") from None
    if issubclass(cls, ContextDetector):
        return cls(sensitivity=sensitivity, context=context)
    return cls(sensitivity=sensitivity)


def load_detector(saved: dict[str, Any]) -> Detector:
    """A fitted detector from what :meth:`Detector.to_json` returned."""
    detector = make_detector(str(saved["detector"]), float(saved["sensitivity"]))
    detector.load_state(dict(saved["state"]))
    return detector
