"""Plan, no-op re-plan and apply of 1k/10k/100k `null` resources with fan-in/fan-out references.

Each figure is the whole `opspec` process (start-up included): wall time and peak RSS, taken
with os.wait4. Baselines in the same run: `opspec --help` (interpreter + CLI start-up) and
parsing the same YAML files with PyYAML's C loader alone (the floor any YAML-based engine pays).

    .venv/bin/python benchmarks/bench_engine.py [--sizes 1000,10000,100000] [--repeat N]
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from gen_null_project import generate

OPSPEC = [sys.executable, "-c", "from engine.cli.main import run; run()"]


def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, code


Row = tuple[str, int, int, list[float], float]


def repeated(cmd: list[str], repeat: int, expect: int | None = None) -> tuple[list[float], float]:
    """Wall times of ``repeat`` runs and the largest peak RSS."""
    walls, peak = [], 0.0
    for _ in range(repeat):
        wall, rss, code = measure(cmd)
        if expect is not None:
            assert code == expect, f"{' '.join(cmd)} exited {code}, expected {expect}"
        walls.append(wall)
        peak = max(peak, rss)
    return walls, peak


def bench_size(n: int, root: Path, repeat: int) -> list[Row]:
    project = root / f"null-{n}"
    edges = generate(n, project)
    yaml_parse = [
        sys.executable,
        "-c",
        "import glob, yaml; [yaml.load(open(f), Loader=yaml.CSafeLoader) "
        f"for f in glob.glob({str(project)!r} + '/*.ops.yaml')]",
    ]
    plan = [*OPSPEC, "-C", str(project), "plan"]
    rows: list[Row] = [("baseline: YAML parse only", n, edges, *repeated(yaml_parse, repeat))]
    rows.append(("plan (no state)", n, edges, *repeated(plan, repeat)))
    apply = [*OPSPEC, "-C", str(project), "apply", "--auto-approve"]
    rows.append(("apply (plan + create all)", n, edges, *repeated(apply, 1)))
    replan = [*plan, "--detailed-exitcode"]
    # exit 0: the re-plan after apply must be a no-op
    rows.append(("no-op re-plan (refresh included)", n, edges, *repeated(replan, repeat, 0)))
    shutil.rmtree(project)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step but apply")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # Measure opspec as an installed package runs: with its bytecode compiled (pip compiles
    # on install; an editable checkout in an environment with PYTHONDONTWRITEBYTECODE=1
    # would otherwise recompile every module on every run).
    root = Path(__file__).resolve().parent.parent
    for package in ("engine", "specs", "providers"):
        compileall.compile_dir(root / package, quiet=1)
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"each step but apply: {args.repeat} runs; wall time as best / median",
        "",
        "| step | resources | edges | wall s best | wall s median | peak RSS MiB "
        "| per resource (best) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    help_walls, help_rss = repeated([*OPSPEC, "--help"], args.repeat)
    lines.append(
        f"| baseline: `opspec --help` | - | - | {min(help_walls):.2f} "
        f"| {statistics.median(help_walls):.2f} | {help_rss:.0f} | - |"
    )
    print(lines[-1], flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows = bench_size(n, Path(tmp), args.repeat)
            plan_best = min(rows[1][3])
            for step, count, edges, walls, rss in rows:
                best = min(walls)
                per = f"{best / count * 1000:.3f} ms"
                if step.startswith("apply"):
                    per = f"{(best - plan_best) / count * 1000:.3f} ms over plan"
                lines.append(
                    f"| {step} | {count} | {edges} | {best:.2f} "
                    f"| {statistics.median(walls):.2f} | {rss:.0f} | {per} |"
                )
                print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
