"""Synthetic series for the monitors tests (deterministic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def cyclic(n: int, seed: int = 0, period: int = 24, noise: float = 0.05) -> np.ndarray:
    """A noisy cycle: what a healthy latency or load metric looks like."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.asarray(10 + 3 * np.sin(2 * np.pi * t / period) + rng.normal(0, noise, n))


def write_latency_csv(
    path: Path, incident: dict[str, int] | None = None, minutes: int = 300
) -> None:
    """Per-service latency, one sample a minute from 2024-05-01T00:00Z; ``incident`` maps a
    service to the minute its latency triples for 10 minutes."""
    rows = ["timestamp,service,value"]
    for i, service in enumerate(("api", "db", "web")):
        values = cyclic(minutes, seed=i, period=30) * (i + 1)
        start = (incident or {}).get(service)
        if start is not None:
            values[start : start + 10] *= 3
        for m, v in enumerate(values):
            rows.append(f"2024-05-01T{m // 60:02d}:{m % 60:02d}:00Z,{service},{v:.4f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")
