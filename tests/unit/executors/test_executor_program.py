"""The inline program under Pulumi's mocks: what it registers, with which dependencies, and how
an upstream output reaches a downstream input.

The mock monitor plays the dynamic-provider host (it unpickles each provider from
``__provider`` and calls ``check`` and ``create``), so values flow as they would under Pulumi:
``null.seed``'s random id reaches ``file.note`` through a local, and the file's sha256 reaches
the command. Each finished resource is recorded in opspec state by the program itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pulumi
from executor_projects import CORE_PROJECT, PlanFor
from pulumi_fakes import NoMocks, RecordingMonitor

from engine.executors.builder import program_spec
from engine.executors.partition import partition
from engine.executors.program import build_program
from engine.executors.recorder import StateRecorder
from engine.executors.stack import Managed
from engine.project import Project
from engine.states.store import StateSnapshot

DYNAMIC = "pulumi-python:dynamic:Resource"


def _run(project: Project, plan_for: PlanFor) -> tuple[RecordingMonitor, StateRecorder]:
    """Plan ``project`` and run its program under the recording mocks."""
    plan, planner = plan_for(project)
    prior = StateSnapshot()
    managed = Managed({}, {})
    recorder = StateRecorder(project.store, plan.workspace, planner.registry, prior, managed)
    spec = program_spec(plan, planner, prior, partition(plan, prior, managed), recorder)
    monitor = RecordingMonitor()
    pulumi.runtime.set_mocks(NoMocks(), preview=False, monitor=monitor)
    pulumi.runtime.test(build_program(spec))()  # type: ignore[no-untyped-call]
    return monitor, recorder


def _urn(name: str, type_: str = DYNAMIC) -> str:
    return f"urn:pulumi:stack::project::{type_}::{name}"


def test_core_resources_are_dynamic_resources_named_by_address(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    monitor, recorder = _run(write_project(CORE_PROJECT), plan_for)
    assert {n: r["type"] for n, r in monitor.registered.items()} == {
        "null.seed": DYNAMIC,
        "file.note": DYNAMIC,
        "command.echo": DYNAMIC,
    }
    assert [r["urn"] for r in monitor.registered.values()] == [
        _urn("null.seed"),
        _urn("file.note"),
        _urn("command.echo"),
    ]
    assert recorder.failed == {}


def test_dependencies_follow_references_locals_and_depends_on(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    monitor, _ = _run(write_project(CORE_PROJECT), plan_for)
    deps = {n: r["dependencies"] for n, r in monitor.registered.items()}
    assert deps["null.seed"] == set()
    assert deps["file.note"] == {_urn("null.seed")}  # through `local.message`
    # `depends_on: [null.seed]` and the reference to file.note's sha256.
    assert deps["command.echo"] == {_urn("null.seed"), _urn("file.note")}


def test_upstream_outputs_flow_into_downstream_inputs(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    monitor, _ = _run(project, plan_for)
    seed_id = monitor.deployed[_urn("null.seed")]["id"]
    note = monitor.registered["file.note"]["inputs"]
    assert note == {"path": "out/note.txt", "content": f"hello from {seed_id}"}
    sha = hashlib.sha256(note["content"].encode()).hexdigest()
    assert monitor.registered["command.echo"]["inputs"] == {"create": f"echo {sha}"}
    # Known-at-plan inputs went in as plain values: the seed's triggers.
    assert monitor.registered["null.seed"]["inputs"] == {"triggers": {"v": 1}}
    assert (project.directory / "out" / "note.txt").read_text() == f"hello from {seed_id}"


def test_each_finished_resource_is_recorded_in_state(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    monitor, recorder = _run(project, plan_for)
    state = project.store.read(project.workspace)
    assert recorder.recorded == set(state.resources) == {"null.seed", "file.note", "command.echo"}
    seed = state.resources["null.seed"]
    assert seed.id == monitor.deployed[_urn("null.seed")]["id"]
    note = state.resources["file.note"]
    sha = hashlib.sha256(note.inputs["content"].encode()).hexdigest()
    assert note.id == "out/note.txt"
    assert note.inputs["sha256"] == sha  # the checked inputs, as the local executor keeps them
    echo = state.resources["command.echo"]
    assert echo.outputs["stdout"] == sha
    assert echo.outputs["exit_code"] == 0
    assert echo.dependencies == ["file.note", "null.seed"]


def test_plan_after_the_program_converges(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    _run(project, plan_for)
    plan, _ = plan_for(project)
    assert {c.address: c.action.json_actions for c in plan.changes} == {
        "command.echo": ["no-op"],
        "file.note": ["no-op"],
        "null.seed": ["no-op"],
    }


def test_sensitive_inputs_reach_pulumi_as_secrets(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(
        """
        variables:
          token: {type: string, default: s3cr3t, sensitive: true}
        resources:
          command.login:
            create: "true"
            environment: {TOKEN: "${var.token}"}
        """
    )
    monitor, _ = _run(project, plan_for)
    login = monitor.registered["command.login"]
    assert login["secret_keys"] == {"environment"}
    assert login["inputs"]["environment"] == {"TOKEN": "s3cr3t"}
    state = project.store.read(project.workspace).resources["command.login"]
    assert ("environment", "TOKEN") in state.sensitive_paths


GPU_PROJECT = """
resources:
  gpu_pool.a100:
    kind: kubernetes
    namespace: llm-serving
    accelerator: "A100:80GB:2"
    max_gpus: 8
    taints: ["nvidia.com/gpu=present:NoSchedule"]
  llm_service.chat:
    pool: ${gpu_pool.a100.placement}
    model: Qwen/Qwen2.5-7B-Instruct
    image: vllm/vllm-openai:v0.6.3
    gpus: 2
    resources: {cpu: 8, memory: 64Gi}
    autoscaling: {min_replicas: 1, max_replicas: 4}
    port: 8000
"""


def _by_type(monitor: RecordingMonitor) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, reg in monitor.registered.items():
        out.setdefault(reg["type"], []).append(name)
    return out


def test_kubernetes_pools_and_services_register_native_objects(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    monitor, recorder = _run(write_project(GPU_PROJECT), plan_for)
    types = _by_type(monitor)
    assert DYNAMIC not in types
    assert types["opspec:index:gpu_pool"] == ["gpu_pool.a100"]
    assert types["opspec:index:llm_service"] == ["llm_service.chat"]
    assert set(types) >= {
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:ResourceQuota",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    }
    pool_urn = monitor.registered["gpu_pool.a100"]["urn"]
    children = {n for n, r in monitor.registered.items() if r["parent"] == pool_urn}
    assert {monitor.registered[n]["type"] for n in children} == {
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:ResourceQuota",
    }
    pool_objects = {monitor.registered[n]["urn"] for n in children}
    deployment = monitor.registered[types["kubernetes:apps/v1:Deployment"][0]]
    assert pool_objects <= deployment["dependencies"]
    limits = deployment["inputs"]["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert limits["limits"]["nvidia.com/gpu"] in ("2", 2)
    assert recorder.failed == {}


def test_native_resources_are_recorded_with_their_object_id(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(GPU_PROJECT)
    monitor, _ = _run(project, plan_for)
    state = project.store.read(project.workspace).resources
    namespace = next(
        n for n, r in monitor.registered.items() if r["type"] == "kubernetes:core/v1:Namespace"
    )
    assert state["gpu_pool.a100"].id == f"{namespace}-id"
    pool: dict[str, Any] = state["gpu_pool.a100"].outputs
    assert pool["placement"]["namespace"] == "llm-serving"
    assert {m["kind"] for m in pool["manifests"]} == {"Namespace", "ResourceQuota"}
    service = state["llm_service.chat"].outputs
    assert {m["kind"] for m in service["manifests"]} == {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
    }
