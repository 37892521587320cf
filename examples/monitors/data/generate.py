"""Regenerates the example's CSV files (deterministic): ``python data/generate.py``.

latency.csv: p95 latency (ms) per service, one sample a minute from 00:00 to 08:00 UTC, with
an hourly cycle and noise. At 07:10 the database slows down; checkout (which calls it) follows
at 07:12 and the frontend (which calls checkout) at 07:13. At 06:40 search has an unrelated
burst of jitter. disk_usage.csv: the database's disk filling up. The two feature files are a
search model's inputs at training time and now (query_length has shifted).
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
START = datetime(2024, 5, 1, tzinfo=UTC)
MINUTES = 8 * 60
BASE = {"frontend": 120.0, "checkout": 80.0, "db": 12.0, "search": 45.0}
INCIDENT = {"db": (430, 3.0), "checkout": (432, 1.8), "frontend": (433, 1.5)}


def stamp(minute: int) -> str:
    return (START + timedelta(minutes=int(minute))).strftime("%Y-%m-%dT%H:%M:%SZ")


def latency(rng: np.random.Generator) -> list[list[str]]:
    t = np.arange(MINUTES)
    rows = []
    for service, base in BASE.items():
        values = base * (1 + 0.15 * np.sin(2 * np.pi * t / 60)) + rng.normal(0, base * 0.02, MINUTES)
        if service in INCIDENT:
            begin, factor = INCIDENT[service]
            ramp = np.clip((t - begin) / 3, 0, 1) * (t < begin + 15)
            values = values * (1 + (factor - 1) * ramp)
        if service == "search":
            burst = (t >= 400) & (t < 406)
            values[burst] += rng.choice([-1, 1], burst.sum()) * base * 0.5
        rows += [[stamp(m), service, f"{v:.3f}"] for m, v in zip(t, values, strict=True)]
    return rows


def disk(rng: np.random.Generator) -> list[list[str]]:
    t = np.arange(0, MINUTES, 10)
    values = 61 + t * 0.01 + rng.normal(0, 0.15, len(t))
    return [[stamp(int(m)), f"{v:.2f}"] for m, v in zip(t, values, strict=True)]


def features(rng: np.random.Generator, shift: float) -> list[list[str]]:
    n = 2000
    query_length = rng.lognormal(2.0 + shift, 0.4, n)
    clicks = rng.poisson(3, n)
    return [[f"{q:.3f}", str(c)] for q, c in zip(query_length, clicks, strict=True)]


def write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (HERE / name).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = np.random.default_rng(7)
    write("latency.csv", ["timestamp", "service", "value"], latency(rng))
    write("disk_usage.csv", ["timestamp", "value"], disk(rng))
    write("reference_features.csv", ["query_length", "clicks"], features(rng, 0.0))
    write("current_features.csv", ["query_length", "clicks"], features(rng, 0.35))


if __name__ == "__main__":
    main()
