"""The same `opspec plan` of a generated `null` project under two source trees, alternating.

A figure from one tree alone moves with the machine's load (±30 % minute to minute on the
shared 2-vCPU VM); alternating the two trees run by run puts both in the same minutes, so the
difference is the code's. The base tree is a detached git worktree of ``--base``; the other is
this checkout. Both run under this interpreter with their own tree first on ``PYTHONPATH``, so
they share every installed dependency.

    .venv/bin/python benchmarks/bench_engine_ab.py --base cbe7c83 [--size 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_engine import measure
from gen_null_project import generate

ROOT = Path(__file__).resolve().parent.parent


def _run(tree: Path, project: Path, *args: str, expect: int | None = None) -> float:
    os.environ["PYTHONPATH"] = str(tree)
    cmd = [sys.executable, "-c", "from engine.cli.main import run; run()", "-C", str(project)]
    wall, _rss, code = measure([*cmd, *args])
    if expect is not None and code != expect:
        raise SystemExit(f"{tree}: {' '.join(args)} exited {code}, expected {expect}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), args.base],
            check=True,
        )
        try:
            trees = {f"base {args.base}": base, "this tree": ROOT}
            for tree in trees.values():
                for package in ("engine", "specs", "providers"):
                    compileall.compile_dir(tree / package, quiet=1)
            projects = {}
            for name in trees:
                projects[name] = Path(tmp) / name.replace(" ", "-")
                generate(args.size, projects[name])
            plans: dict[str, list[float]] = {name: [] for name in trees}
            replans: dict[str, list[float]] = {name: [] for name in trees}
            for i in range(args.runs):
                order = list(trees) if i % 2 == 0 else list(reversed(trees))
                for name in order:
                    plans[name].append(_run(trees[name], projects[name], "plan"))
            for name in trees:
                _run(trees[name], projects[name], "apply", "--auto-approve", expect=0)
            for i in range(args.runs):
                order = list(trees) if i % 2 == 0 else list(reversed(trees))
                for name in order:
                    replans[name].append(
                        _run(trees[name], projects[name], "plan", "--detailed-exitcode", expect=0)
                    )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=True
            )
            shutil.rmtree(base, ignore_errors=True)
    print(f"{args.size} null resources, {args.runs} runs of each, alternating; wall s")
    print("| tree | plan best | plan median | no-op re-plan best | no-op re-plan median |")
    print("|---|---:|---:|---:|---:|")
    for name in trees:
        p, r = plans[name], replans[name]
        print(
            f"| {name} | {min(p):.2f} | {statistics.median(p):.2f} "
            f"| {min(r):.2f} | {statistics.median(r):.2f} |"
        )


if __name__ == "__main__":
    main()
