"""Policy evaluation over a 10,000-resource plan: built-in pack plus a CEL pack, under 1 s.

Run: ``.venv/bin/pytest benchmarks/bench_policy.py`` (pytest-benchmark), or
``.venv/bin/python benchmarks/bench_policy.py`` for a plain timing. The plan is generated: 1,000
ML and LLM stacks of ten resources each (dataset, training job, gated evaluation, model,
compression, benchmark, GPU pool, LLM service, monitor, command), every one with its own names,
values and dependencies, so nothing is shared between resources but what real plans share.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from engine.cost import estimate
from engine.policy import Policy, evaluate, load_policies

RESOURCES = 10_000
PER_STACK = 10

CEL_PACK = """
pack: org
policies:
  - name: pool-quota
    enforcement: mandatory
    types: [gpu_pool]
    when: 'after.kind == "kubernetes"'
    expression: 'after.max_gpus <= params.limit'
    params: {limit: 64}
    field: max_gpus
    message_expression: '"quota " + string(after.max_gpus) + " above " + string(params.limit)'
  - name: service-replicas
    types: [llm_service]
    expression: '!has(after.autoscaling) || after.autoscaling.max_replicas <= 8'
    field: autoscaling.max_replicas
  - name: protected-deletes
    actions: [create, update, replace, delete, no-op]
    expression: >-
      !resource.change.actions.exists(a, a == "delete") || resource.type in params.deletable
    params: {deletable: [command, monitor]}
  - name: monitor-severity
    types: [monitor]
    expression: 'after.severity in ["page", "ticket", "info"]'
    field: severity
  - name: trained-with-seed
    types: [training_job]
    expression: 'has(after.seed) && after.seed >= 0'
    field: seed
  - name: few-services
    scope: plan
    expression: 'plan.resource_changes.filter(r, r.type == "llm_service").size() <= 5000'
"""


def _change(
    address: str, after: dict[str, Any], deps: list[str], actions: list[str]
) -> dict[str, Any]:
    type_, name = address.split(".", 1)
    return {
        "address": address, "type": type_, "name": name, "index": None, "mode": "managed",
        "pos": f"main.ops.yaml:{len(address)}:3", "dependencies": deps,
        "change": {"actions": actions, "before": None if actions == ["create"] else dict(after),
                   "after": after, "after_unknown": {}, "before_sensitive": {},
                   "after_sensitive": {}, "replace_paths": []},
        "action_reason": actions[0], "reason": f"input `params` of {address} changed",
    }  # fmt: skip


def _stack(i: int) -> list[dict[str, Any]]:
    n = f"s{i}"
    act = ["create"] if i % 3 else ["update"]
    return [
        _change(f"dataset.{n}", {"path": f"data/{n}.csv", "sha256": f"{i:064x}", "rows": 1000 + i},
                [], act),
        _change(f"training_job.{n}", {"framework": "sklearn", "seed": i % 7,
                "estimator": "sklearn.linear_model.LogisticRegression",
                "params": {"C": 1.0 + i % 10, "max_iter": 100 + i}, "dataset": f"art://{i}"},
                [f"dataset.{n}"], ["delete", "create"] if i % 5 == 0 else act),
        _change(f"evaluation.{n}", {"metrics": ["accuracy", "f1"],
                "gates": {"accuracy": f">= 0.{80 + i % 15}"}},
                [f"training_job.{n}", f"dataset.{n}"], act),
        _change(f"model.{n}", {"name": f"model-{i}", "artifact": f"art://m{i}",
                "aliases": ["champion"] if i % 4 == 0 else [], "tags": {"team": f"t{i % 9}"}},
                [f"training_job.{n}", f"evaluation.{n}"], act),
        _change(f"compression.{n}", {"method": "onnx-int8", "per_channel": bool(i % 2)},
                [f"model.{n}"], act),
        _change(f"benchmark.{n}", {"variants": ["base", "int8"], "gates": {"speedup": ">= 1.5"}},
                [f"compression.{n}"], act),
        _change(f"gpu_pool.{n}", {"kind": "kubernetes" if i % 2 else "local",
                "accelerator": "A100:80GB:8", "max_gpus": 8 + i % 80}, [], act),
        _change(f"llm_service.{n}", {"model": f"art://c{i}", "replicas": 1 + i % 3, "gpus": 1,
                "autoscaling": {"min_replicas": 1, "max_replicas": 2 + i % 9}},
                [f"compression.{n}", f"benchmark.{n}", f"gpu_pool.{n}"], act),
        _change(f"monitor.{n}", {"type": "threshold", "severity": "page" if i % 6 else "warn",
                "expr": f"latency_p95{{svc='{n}'}} > 0.{i % 9 + 1}", "for": "5m"},
                [f"llm_service.{n}"], ["delete"] if i % 11 == 0 else act),
        _change(f"command.{n}", {"create": f"echo deploy {n}",
                "environment": {"REGION": f"r{i % 4}"}}, [f"llm_service.{n}"], act),
    ]  # fmt: skip


def make_plan(resources: int = RESOURCES) -> dict[str, Any]:
    changes = [c for i in range(resources // PER_STACK) for c in _stack(i)]
    plan = {"format_version": "1.0", "workspace": "default", "variables": {},
            "resource_changes": changes, "output_changes": {}}  # fmt: skip
    plan["cost"] = estimate(plan, None)  # as `opspec plan` attaches it before policies run
    return plan


def load_bench_policies(root: Path) -> list[Policy]:
    (root / "policies").mkdir(parents=True, exist_ok=True)
    (root / "policies" / "org.yaml").write_text(CEL_PACK)
    policies, diags = load_policies(root, [])
    assert not diags, [d.format() for d in diags]
    return policies


@pytest.fixture(scope="module")
def bench_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[Policy]]:
    return make_plan(), load_bench_policies(tmp_path_factory.mktemp("bench"))


# CPU time of the (single-threaded) evaluation: on the shared 2-core machines the tests run on,
# wall-clock time mostly measures the other processes; `main` prints both.
@pytest.mark.benchmark(timer=time.process_time)
def test_policy_evaluation_10k(benchmark: Any, bench_inputs: Any) -> None:
    plan, policies = bench_inputs
    results = benchmark.pedantic(evaluate, args=(plan, policies), rounds=5, iterations=1)
    assert len(plan["resource_changes"]) == RESOURCES
    assert {r.policy for r in results if not r.passed} >= {"pool-quota", "protected-deletes"}
    assert benchmark.stats.stats.min < 1.0


UNIQUE_PACK = """
policies:
  - name: naming
    actions: [create, update, replace, delete, no-op]
    expression: 'resource.name.matches("^[a-z][a-z0-9_]*$") && !resource.address.contains("tmp")'
"""


def _timed(plan: dict[str, Any], policies: list[Policy]) -> tuple[list[float], list[float], int]:
    wall, cpu = [], []
    found = 0
    for _ in range(7):
        start, start_cpu = time.perf_counter(), time.process_time()
        results = evaluate(plan, policies)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        found = sum(len(r.violations) for r in results)
    return sorted(wall), sorted(cpu), found


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        policies = load_bench_policies(Path(tmp))
    plan = make_plan()
    wall, cpu, found = _timed(plan, policies)
    print(f"{len(plan['resource_changes'])} resources, {len(policies)} policies, {found} "
          f"violations: wall min {wall[0]:.3f} s / median {wall[3]:.3f} s, "
          f"CPU min {cpu[0]:.3f} s / median {cpu[3]:.3f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "policies").mkdir()
        (Path(tmp) / "policies" / "unique.yaml").write_text(UNIQUE_PACK)
        unique = [p for p in load_policies(Path(tmp), [])[0] if p.pack == "unique"]
    wall, cpu, _ = _timed(plan, unique)
    print(f"worst case, one CEL rule whose input differs for every resource: "
          f"wall min {wall[0]:.3f} s / median {wall[3]:.3f} s, "
          f"CPU min {cpu[0]:.3f} s / median {cpu[3]:.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
