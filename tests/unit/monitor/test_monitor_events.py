"""Event-wise precision/recall/F1: runs are events, overlap counts, no point adjustment."""

from __future__ import annotations

import pytest

from providers.monitor.jobs.detectors.events import event_scores, runs


def test_runs_are_half_open_ranges() -> None:
    assert runs([0, 1, 1, 0, 1]) == [(1, 3), (4, 5)]
    assert runs([]) == []


def test_a_long_flagged_run_touching_an_event_counts_once() -> None:
    labels = [0, 0, 1, 1, 0, 0, 0, 0]
    flagged = [0, 1, 1, 1, 1, 1, 1, 0]
    s = event_scores(flagged, labels)
    assert (s.precision, s.recall, s.f1, s.predicted) == (1.0, 1.0, 1.0, 1)


def test_false_events_lower_precision_and_missed_ones_recall() -> None:
    labels = [1, 1, 0, 0, 0, 0, 1, 1, 0]
    flagged = [1, 0, 0, 1, 0, 1, 0, 0, 0]
    s = event_scores(flagged, labels)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))


def test_nothing_flagged_scores_zero() -> None:
    assert event_scores([0, 0], [0, 1]).f1 == 0.0
