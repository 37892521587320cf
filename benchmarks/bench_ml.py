"""Apply time of ``examples/ml-pipeline``, cold and cached, and the engine's overhead per job.

Each figure is a whole ``opspec`` process (start-up included), run on a fresh copy of the
example. Steps, in order: cold apply (nothing cached), no-op re-plan (refresh included, run
several times), destroy, apply again (every job a cache hit). Per training job the time is split
into the bare fit (measured inside the job), the child process around it (interpreter start,
imports, data loading, saving) and the engine around that (provider, artifact store, state),
from the apply's progress lines and the outputs in state.

    .venv/bin/python benchmarks/bench_ml.py [--replans 5] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ml-pipeline"
OPSPEC = [sys.executable, "-m", "engine.cli.main"]
_DONE = re.compile(r"^(\S+): (?:Creation|Replacement|Modifications) complete after ([\d.]+)s", re.M)


def run(project: Path, *args: str) -> tuple[float, str, float]:
    """Wall seconds, combined output and CPU seconds (its jobs included) of one ``opspec``."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            [*OPSPEC, "-C", str(project), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"opspec {' '.join(args)} failed:\n{text}")
    return wall, text, usage.ru_utime + usage.ru_stime


def job_runs(project: Path) -> list[str]:
    """Address of every child job run so far (one entry per run)."""
    runs = project / ".opspec" / "runs"
    return sorted(p.parent.parent.name for p in runs.glob("*/*/log.txt")) if runs.exists() else []


def ran_since(project: Path, before: list[str]) -> str:
    after = job_runs(project)
    for address in before:
        after.remove(address)
    return ", ".join(after) or "none"


def state_outputs(project: Path) -> dict[str, dict[str, Any]]:
    _, text, _ = run(project, "state", "pull")
    state = json.loads(text[text.index("{") :])
    return {r["address"]: r["outputs"] for r in state["resources"]}


def resource_times(apply_text: str) -> dict[str, float]:
    return {m.group(1): float(m.group(2)) for m in _DONE.finditer(apply_text)}


def overhead_rows(project: Path, apply_text: str) -> list[str]:
    times = resource_times(apply_text)
    outs = state_outputs(project)
    rows = []
    for address in sorted(a for a in outs if a.startswith("training_job.")):
        fit = float(outs[address]["duration_s"])
        child = float(outs[address]["job_duration_s"])
        total = times.get(address, float("nan"))
        # The apply's progress lines have a resolution of 0.1 s.
        engine = total - child
        shown = f"{engine:.2f}" if engine >= 0.05 else "< 0.1"
        rows.append(f"| {address} | {fit:.2f} | {child - fit:.2f} | {shown} | {total:.1f} |")
    return rows


PROVIDER_SHARE = """
import json, sys, time
state = json.load(sys.stdin)
project = sys.argv[1]
from engine.providers import ProviderContext  # the engine pays for this import anyway
start = time.perf_counter()
from providers.ml.dataset import DatasetProvider
from providers.ml.evaluation import EvaluationProvider
from providers.ml.model import ModelProvider
from providers.ml.training_job import TrainingJobProvider
imported = time.perf_counter()
types = {"dataset": DatasetProvider, "training_job": TrainingJobProvider,
         "evaluation": EvaluationProvider, "model": ModelProvider}
ctx = ProviderContext(project, project + "/.opspec")
for r in state["resources"]:
    provider = types[r["type"]](ctx.for_address(r["address"]))
    outs = provider.read(r["id"], r["outputs"]).outs
    news = provider.check(r["inputs"], r["inputs"]).inputs
    assert not provider.diff(r["id"], outs, news).changes, r["address"]
    if hasattr(provider, "cache_parts"):
        provider.cached_outputs(provider.cache_key(news))
done = time.perf_counter()
print(json.dumps({"import_ms": 1000 * (imported - start), "calls_ms": 1000 * (done - imported),
                  "modules": sorted(m for m in ("sklearn", "torch", "mlflow", "pandas")
                                    if m in sys.modules)}))
"""


def provider_share(project: Path) -> dict[str, Any]:
    """Import and plan-time calls (refresh, check, diff, cache) of the ML providers alone."""
    _, text, _ = run(project, "state", "pull")
    done = subprocess.run(
        [sys.executable, "-c", PROVIDER_SHARE, str(project)],
        input=text[text.index("{") :],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def bench(replans: int) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-ml-") as tmp:
        project = Path(tmp) / "ml-pipeline"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".opspec", "__pycache__"))
        cold, cold_text, cold_cpu = run(project, "apply", "--auto-approve")
        cold_jobs = ran_since(project, [])
        per_job = overhead_rows(project, cold_text)
        noop = [run(project, "plan", "--detailed-exitcode") for _ in range(replans)]
        share = min((provider_share(project) for _ in range(3)), key=lambda r: r["calls_ms"])
        destroy, _, destroy_cpu = run(project, "destroy", "--auto-approve")
        before = job_runs(project)
        cached, cached_text, cached_cpu = run(project, "apply", "--auto-approve")
        cached_jobs = ran_since(project, before)
        help_s = min(run(project, "--help")[0] for _ in range(3))
    noop_wall = [w for w, _, _ in noop]
    noop_cpu = statistics.median(c for _, _, c in noop)
    load = os.getloadavg()
    lines = [
        f"Host: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average at the end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}.",
        "",
        "| step | wall (s) | CPU (s) | child jobs that ran |",
        "|---|---|---|---|",
        f"| apply, cold (nothing cached) | {cold:.1f} | {cold_cpu:.1f} | {cold_jobs} |",
        f"| plan, no change (refresh included), median of {replans} | "
        f"{statistics.median(noop_wall):.2f} (min {min(noop_wall):.2f}) | {noop_cpu:.2f} | none |",
        f"| of which the ML providers: import {share['import_ms']:.0f} ms, refresh + check + "
        f"diff + cache lookups of the 7 resources {share['calls_ms']:.0f} ms (heavy modules "
        f"imported: {', '.join(share['modules']) or 'none'}) | | | |",
        f"| destroy | {destroy:.1f} | {destroy_cpu:.1f} | model.cancer_classifier |",
        f"| apply after destroy (cache hits) | {cached:.1f} | {cached_cpu:.1f} | {cached_jobs} |",
        f"| `opspec --help` (process start-up floor) | {help_s:.2f} | - | none |",
        "",
        "| training job (cold apply) | bare fit (s) | child process around it (s) | "
        "engine around the job (s) | resource total (s) |",
        "|---|---|---|---|---|",
        *per_job,
        "",
        "Per resource on the cached apply (a cache hit: provider, artifact store and state, no "
        "job): "
        + ", ".join(f"{a} {t:.2f}s" for a, t in sorted(resource_times(cached_text).items()))
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replans", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    text = bench(args.replans)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
