"""Data drift between a reference and a current sample: PSI and Kolmogorov-Smirnov per feature.

PSI bins each feature at the reference's deciles (so every bin holds a tenth of the reference)
and sums ``(cur - ref) * ln(cur / ref)`` over bins, with proportions floored at 1e-4 so an
empty bin does not divide by zero; the usual reading is < 0.1 stable, 0.1-0.2 moderate,
> 0.2 shifted. KS is the largest gap between the two empirical distribution functions (its
p-value is shown as evidence; thresholds apply to the statistic, which does not shrink to zero
with sample size the way p-values do). The reference is summarised once at apply into a
profile -- bin edges and proportions, and up to 5,000 quantiles for KS -- kept as an artifact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from providers.monitor.jobs.detectors.base import Array

__all__ = ["FeatureDrift", "FeatureProfile", "compare", "profile_feature"]

_BINS = 10
_FLOOR = 1e-4
_KS_POINTS = 5000


@dataclass(frozen=True)
class FeatureProfile:
    edges: list[float]  # inner bin edges (deciles of the reference)
    proportions: list[float]
    sample: list[float]  # sorted reference values (or evenly spaced quantiles of them)
    size: int

    def to_json(self) -> dict[str, Any]:
        return {
            "edges": self.edges,
            "proportions": self.proportions,
            "sample": self.sample,
            "size": self.size,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureProfile:
        return cls(
            list(data["edges"]), list(data["proportions"]), list(data["sample"]), int(data["size"])
        )


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    ks: float
    ks_pvalue: float
    drifted: tuple[str, ...]  # names of the tests over their threshold


def _finite(values: Array) -> Array:
    return np.asarray(values[np.isfinite(values)], dtype=np.float64)


def _proportions(values: Array, edges: Array) -> Array:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return np.asarray(np.maximum(counts / max(len(values), 1), _FLOOR), dtype=np.float64)


def profile_feature(values: Array) -> FeatureProfile:
    values = np.sort(_finite(np.asarray(values, dtype=np.float64)))
    if len(values) == 0:
        raise ValueError("no finite values")
    edges = np.unique(np.quantile(values, np.linspace(0, 1, _BINS + 1)[1:-1]))
    sample = (
        values if len(values) <= _KS_POINTS else np.quantile(values, np.linspace(0, 1, _KS_POINTS))
    )
    return FeatureProfile(
        edges.tolist(), _proportions(values, edges).tolist(), sample.tolist(), len(values)
    )


def psi(profile: FeatureProfile, current: Array) -> float:
    ref = np.asarray(profile.proportions)
    cur = _proportions(current, np.asarray(profile.edges))
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def ks(profile: FeatureProfile, current: Array) -> tuple[float, float]:
    from scipy.stats import ks_2samp

    result = ks_2samp(np.asarray(profile.sample), current)
    return float(result.statistic), float(result.pvalue)


def compare(
    feature: str, profile: FeatureProfile, current: Array, psi_limit: float, ks_limit: float
) -> FeatureDrift:
    values = _finite(np.asarray(current, dtype=np.float64))
    if len(values) == 0:
        raise ValueError(f"feature {feature!r} has no finite values in the current data")
    psi_value = psi(profile, values)
    ks_value, pvalue = ks(profile, values)
    drifted = tuple(
        name for name, hit in (("psi", psi_value > psi_limit), ("ks", ks_value > ks_limit)) if hit
    )
    return FeatureDrift(feature, psi_value, ks_value, pvalue, drifted)
