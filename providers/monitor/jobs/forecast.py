"""Capacity forecasts: when does a metric's trend cross a limit?

A straight line is fitted by least squares to the lookback window (time against value) and
extended over the horizon. The forecast alerts when the line reaches the limit within the
horizon, or when the latest value is already past it. A line is the honest model for the usual
capacity questions (disk filling, a steadily growing queue); it says nothing about cycles,
which is why the evidence reports the fit's residual spread next to the crossing time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from providers.monitor.jobs.detectors.base import Array

__all__ = ["Forecast", "forecast_crossing"]


@dataclass(frozen=True)
class Forecast:
    slope_per_hour: float
    current: float  # the line's value at the last sample
    latest: float  # the last sample itself
    crossing_at: float | None  # epoch seconds when the line reaches the limit, if it does
    residual_std: float

    def within(self, end: float, horizon_s: float) -> bool:
        return self.crossing_at is not None and self.crossing_at <= end + horizon_s


def forecast_crossing(times: Array, values: Array, limit: float, above: bool) -> Forecast:
    """Fit the trend of ``values`` over ``times`` and find where it meets ``limit``."""
    if len(times) < 3:
        raise ValueError("a forecast needs at least 3 samples")
    origin = float(times[-1])
    hours = (times - origin) / 3600.0
    slope, intercept = np.polyfit(hours, values, 1)
    residual = values - (slope * hours + intercept)
    latest = float(values[-1])
    past = latest >= limit if above else latest <= limit
    crossing: float | None = None
    if past:
        crossing = origin
    elif slope != 0 and (slope > 0) == above:
        crossing = origin + max(0.0, (limit - intercept) / slope) * 3600.0
    return Forecast(float(slope), float(intercept), latest, crossing, float(np.std(residual)))
