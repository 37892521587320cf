"""Forecast crossings and drift statistics (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest

from providers.monitor.jobs.drift import FeatureProfile, compare, profile_feature
from providers.monitor.jobs.forecast import forecast_crossing


def test_a_rising_trend_crosses_the_limit_when_the_line_says() -> None:
    times = np.arange(0, 3600 * 10, 600, dtype=float)  # one sample per 10 minutes
    values = 50 + times / 3600  # +1 per hour: 70 is reached at hour 20
    fc = forecast_crossing(times, values, limit=70, above=True)
    assert fc.crossing_at == pytest.approx(20 * 3600)
    assert fc.within(times[-1], 11 * 3600) and not fc.within(times[-1], 10 * 3600)


def test_a_falling_trend_never_crosses_an_upper_limit_but_a_lower_one() -> None:
    times = np.arange(0, 36000, 600, dtype=float)
    values = 80 - times / 3600
    assert forecast_crossing(times, values, 90, above=True).crossing_at is None
    below = forecast_crossing(times, values, 60, above=False)
    assert below.crossing_at is not None and below.crossing_at > times[-1]


def test_already_past_the_limit_crosses_now() -> None:
    times = np.arange(10, dtype=float)
    fc = forecast_crossing(times, np.full(10, 95.0), 90, above=True)
    assert fc.crossing_at == times[-1]


def test_psi_and_ks_see_a_shift_and_not_a_resample() -> None:
    rng = np.random.default_rng(0)
    profile = profile_feature(rng.normal(0, 1, 5000))
    same = compare("x", profile, rng.normal(0, 1, 3000), psi_limit=0.2, ks_limit=0.1)
    shifted = compare("x", profile, rng.normal(0.8, 1, 3000), psi_limit=0.2, ks_limit=0.1)
    assert same.drifted == () and same.psi < 0.05 and same.ks < 0.05
    assert shifted.drifted == ("psi", "ks") and shifted.psi > 0.2


def test_profile_survives_json_and_refuses_empty_data() -> None:
    profile = profile_feature(np.arange(100.0))
    assert FeatureProfile.from_json(profile.to_json()) == profile
    with pytest.raises(ValueError):
        profile_feature(np.array([np.nan]))
