"""Plan, no-op re-plan and apply of 1k/10k/100k `null` resources with fan-in/fan-out references.

Each figure is the whole `opspec` process (start-up included): wall time and peak RSS, taken
with os.wait4. Baselines in the same run: `opspec --help` (interpreter + CLI start-up) and
parsing the same YAML files with PyYAML's C loader alone (the floor any YAML-based engine pays).

    .venv/bin/python benchmarks/bench_engine.py [--sizes 1000,10000,100000] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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


def bench_size(n: int, root: Path) -> list[tuple[str, int, int, float, float]]:
    project = root / f"null-{n}"
    edges = generate(n, project)
    yaml_parse = [
        sys.executable,
        "-c",
        "import glob, yaml; [yaml.load(open(f), Loader=yaml.CSafeLoader) "
        f"for f in glob.glob({str(project)!r} + '/*.ops.yaml')]",
    ]
    rows = []
    wall, rss, _ = measure(yaml_parse)
    rows.append(("baseline: YAML parse only", n, edges, wall, rss))
    wall, rss, _ = measure([*OPSPEC, "-C", str(project), "plan"])
    rows.append(("plan (no state)", n, edges, wall, rss))
    wall, rss, _ = measure([*OPSPEC, "-C", str(project), "apply", "--auto-approve"])
    rows.append(("apply (plan + create all)", n, edges, wall, rss))
    wall, rss, code = measure([*OPSPEC, "-C", str(project), "plan", "--detailed-exitcode"])
    assert code == 0, "re-plan after apply must be a no-op"
    rows.append(("no-op re-plan (refresh included)", n, edges, wall, rss))
    shutil.rmtree(project)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "",
        "| step | resources | edges | wall s | peak RSS MiB | per resource |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    help_wall, help_rss, _ = measure([*OPSPEC, "--help"])
    lines.append(f"| baseline: `opspec --help` | - | - | {help_wall:.2f} | {help_rss:.0f} | - |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows = bench_size(n, Path(tmp))
            plan_wall = rows[1][3]
            for step, count, edges, wall, rss in rows:
                per = f"{wall / count * 1000:.3f} ms"
                if step.startswith("apply"):
                    per = f"{(wall - plan_wall) / count * 1000:.3f} ms over plan"
                lines.append(f"| {step} | {count} | {edges} | {wall:.2f} | {rss:.0f} | {per} |")
                print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
