"""Anomaly detectors: what they flag, what they leave alone, and that a saved fit is the same."""

from __future__ import annotations

import numpy as np
import pytest
from monitor_data import cyclic

from providers.monitor.errors import NotEnoughData
from providers.monitor.jobs.detectors import DETECTORS, load_detector, make_detector
from providers.monitor.jobs.detectors.base import min_over_windows
from providers.monitor.jobs.detectors.seasonal import estimate_period


def _with_jitter(values: np.ndarray, start: int, length: int = 6) -> np.ndarray:
    out = values.copy()
    out[start : start + length] += np.array([1.5, -1.5] * (length // 2))
    return out


def test_discord_flags_jitter_inside_the_normal_range_and_nothing_else() -> None:
    history = cyclic(600)
    fresh = _with_jitter(cyclic(1200, seed=1)[600:], 300)
    values = np.concatenate([history, fresh])
    detector = make_detector("discord")
    detector.fit(history)
    flagged = np.flatnonzero(detector.score(values, 600) > 1) + 600
    assert flagged.size > 0
    assert flagged.min() >= 900 and flagged.max() < 906
    # The jitter never leaves the range a 3-sigma rule accepts.
    assert values[900:906].max() < history.mean() + 3 * history.std()


def test_value_detectors_miss_in_range_jitter_but_catch_a_spike() -> None:
    history = cyclic(600)
    values = np.concatenate([history, _with_jitter(cyclic(1200, seed=1)[600:], 300)])
    values[1100] = 40.0
    for name in ("sigma", "mad"):
        detector = make_detector(name)
        detector.fit(history)
        flagged = set(np.flatnonzero(detector.score(values, 600) > 1) + 600)
        assert 1100 in flagged
        assert not flagged & set(range(900, 906)), name


def test_sensitivity_scales_the_threshold() -> None:
    history = cyclic(600)
    values = np.concatenate([history, _with_jitter(cyclic(1200, seed=1)[600:], 300)])
    counts = []
    for sensitivity in (0.5, 1.0, 4.0):
        detector = make_detector("discord", sensitivity=sensitivity)
        detector.fit(history)
        counts.append(int((detector.score(values, 600) > 1).sum()))
    assert counts[0] <= counts[1] <= counts[2]
    assert counts[2] > counts[0]


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_a_saved_fit_scores_exactly_like_the_original(name: str) -> None:
    history = cyclic(300)
    values = np.concatenate([history, _with_jitter(cyclic(400, seed=2)[300:], 50)])
    detector = make_detector(name, sensitivity=1.3, context=6)
    detector.fit(history)
    restored = load_detector(detector.to_json())
    np.testing.assert_array_equal(detector.score(values, 300), restored.score(values, 300))
    assert len(detector.score(values, 300)) == 100


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_too_little_history_is_refused(name: str) -> None:
    with pytest.raises(NotEnoughData):
        make_detector(name).fit(np.array([1.0]))


def test_unknown_detector_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="discord"):
        make_detector("prophet")


def test_unsupervised_discord_finds_a_unique_shape_in_sample() -> None:
    values = _with_jitter(cyclic(1000), 700)
    scores = make_detector("discord").fit_score(values)
    flagged = np.flatnonzero(scores > 1)
    assert flagged.size > 0 and flagged.min() >= 700 and flagged.max() < 706


def test_constant_history_flags_any_change() -> None:
    detector = make_detector("discord")
    detector.fit(np.full(100, 5.0))
    values = np.concatenate([np.full(100, 5.0), np.full(20, 5.0), [5.5], np.full(20, 5.0)])
    flagged = np.flatnonzero(detector.score(values, 100) > 1) + 100
    assert flagged.tolist() == [120]


def test_min_over_windows_keeps_flags_on_samples_every_window_agrees_on() -> None:
    # Windows of 3 starting at 0..4; only windows 1..3 are anomalous (all contain sample 3).
    scores = min_over_windows(np.array([0.0, 2.0, 2.0, 2.0, 0.0]), 3)
    assert (scores > 1).tolist() == [False, False, False, True, False, False, False]


def test_period_estimate_finds_the_cycle() -> None:
    assert estimate_period(cyclic(600, period=24)) in (23, 24, 25)
    rng = np.random.default_rng(0)
    assert estimate_period(rng.normal(size=600)) == 0


def test_seasonal_detector_flags_a_broken_cycle() -> None:
    history = cyclic(600, period=24)
    values = np.concatenate([history, cyclic(1200, seed=1, period=24)[600:]])
    values[900:904] = values[900:904][::-1] + 2.0
    detector = make_detector("seasonal")
    detector.fit(history)
    flagged = np.flatnonzero(detector.score(values, 600) > 1) + 600
    assert 900 <= flagged.min() < 904
