"""Measures the SQLite state store: cost of one committed write_resource, and read() at scale.

Run: ``.venv/bin/python benchmarks/bench_state_store.py [--sizes 10000 100000] [--writes 2000]``.
Prints one line per figure. Resources look like what ``null`` resources with fan-in references
leave in state (~0.5 KB of JSON each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from engine.states.memory import MemoryStateStore
from engine.states.secrets import SecretBox
from engine.states.sqlite import SqliteStateStore
from engine.states.store import ResourceState, StateSnapshot, StateStore


def make_resource(i: int, sensitive: bool = False) -> ResourceState:
    inputs: dict[str, object] = {
        "triggers": {"index": str(i), "parent": f"${{null.n{i // 10}.id}}"}
    }
    if sensitive:
        inputs["token"] = f"secret-{i}"
    return ResourceState(
        address=f"null.n{i:06d}",
        type="null",
        id=f"{i:032x}",
        inputs=inputs,
        outputs={**inputs, "id": f"{i:032x}"},
        dependencies=[f"null.n{i // 10:06d}", f"null.n{i // 100:06d}"],
        provider_version="0.1.0",
        created_at="2025-01-01T00:00:00+00:00",
        updated_at="2025-01-01T00:00:00+00:00",
        sensitive_paths=[("token",)] if sensitive else [],
    )


def time_writes(store: StateStore, count: int, sensitive: bool) -> float:
    """Median seconds per committed write_resource."""
    durations = []
    for i in range(count):
        resource = make_resource(i, sensitive)
        start = time.perf_counter()
        store.write_resource("default", resource)
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def time_read(path: Path) -> tuple[float, float, int]:
    """Best wall and CPU seconds of three reads, each by a fresh store (connection opening
    included; CPU time is the fairer figure on a machine shared with other work)."""
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        store = SqliteStateStore(path)
        wall, cpu = time.perf_counter(), time.process_time()
        snapshot = store.read("default")
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        store.close()
    return best_wall, best_cpu, len(snapshot.resources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["OPSPEC_SECRETS_KEY_FILE"] = str(Path(tmp) / "key")
        os.environ.pop("OPSPEC_SECRETS_KEY", None)
        for sensitive in (False, True):
            db = Path(tmp) / f"writes-{sensitive}.db"
            store = SqliteStateStore(db, secrets=SecretBox.from_environment())
            per_write = time_writes(store, args.writes, sensitive)
            store.close()
            label = "with a sealed secret" if sensitive else "plain"
            print(
                f"sqlite write_resource ({label}): {per_write * 1e3:.3f} ms median per write "
                f"over {args.writes} commits, {db.stat().st_size / 1e6:.1f} MB file"
            )
        memory = MemoryStateStore()
        print(f"memory write_resource: {time_writes(memory, args.writes, False) * 1e6:.1f} us")
        for size in args.sizes:
            db = Path(tmp) / f"read-{size}.db"
            snapshot = StateSnapshot(
                resources={r.address: r for r in (make_resource(i) for i in range(size))}
            )
            loader = SqliteStateStore(db)
            start = time.perf_counter()
            loader.push("default", snapshot)
            push_s = time.perf_counter() - start
            loader.close()
            wall_s, cpu_s, count = time_read(db)
            print(
                f"sqlite read() of {count} resources: {wall_s:.3f} s wall, {cpu_s:.3f} s CPU "
                f"(push of all in one transaction: {push_s:.2f} s)"
            )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average during the run: {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
