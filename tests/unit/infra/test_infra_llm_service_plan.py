"""The llm_service provider at plan time: manifests, placeholders, and bad input as failures."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from engine.expr.unknown import UNKNOWN
from providers.infra.errors import NeedsPulumiExecutorError
from providers.infra.llm_service import LlmServiceProvider

IMAGE = "vllm/vllm-openai:v0.6.3"


def _local_pool(gpus: int = 0) -> dict[str, Any]:
    return {"kind": "local", "name": "here", "gpus_per_node": gpus}


def _model_folder(project: Path, name: str = "model") -> Path:
    folder = project / name
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (folder / "model.safetensors").write_bytes(b"\0")
    return folder


def _failures(result: Any) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in result.failures]


def _kube(placement: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"pool": placement, "model": "artifact://sha256/" + "ab" * 32, "image": IMAGE, **extra}


def test_manifests_are_complete_and_valid(
    service_provider: LlmServiceProvider, kube_placement: dict[str, Any]
) -> None:
    news = _kube(
        kube_placement,
        gpus=2,
        resources={"cpu": 8, "memory": "64Gi"},
        autoscaling={"min_replicas": 2, "max_replicas": 4, "target_utilization": 60},
        readiness={"path": "/ready", "initial_delay_s": 30},
        args=["--dtype", "bfloat16"],
    )
    result = service_provider.check({}, news)
    assert result.failures == []
    manifests = result.inputs["manifests"]
    assert [m["kind"] for m in manifests] == ["Deployment", "Service", "HorizontalPodAutoscaler"]
    for manifest in manifests:
        kubernetes_validate.validate(manifest, "1.30", strict=True)
        assert manifest["metadata"] == {**manifest["metadata"], "name": "chat", "namespace": "a100"}
    deployment, service, hpa = manifests
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["resources"] == {
        "requests": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": "2"},
        "limits": {"memory": "64Gi", "nvidia.com/gpu": "2"},
    }
    assert container["args"][-2:] == ["--dtype", "bfloat16"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert {"name": "dshm", "emptyDir": {"medium": "Memory"}} in pod["volumes"]
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    keys = [e["key"] for e in terms["nodeSelectorTerms"][0]["matchExpressions"]]
    assert keys == ["nvidia.com/gpu.product", "nvidia.com/gpu.memory"]
    assert "replicas" not in deployment["spec"]  # the autoscaler owns the count
    assert service["spec"]["ports"][0]["port"] == 8000
    assert hpa["spec"]["minReplicas"] == 2 and hpa["spec"]["maxReplicas"] == 4
    assert result.inputs["url"] == "http://chat.a100.svc.cluster.local:8000"
    assert result.inputs["objects"] == [
        "Deployment a100/chat: pods set by the autoscaler, 2 nvidia.com/gpu each, image " + IMAGE,
        "Service a100/chat: port 8000",
        "HorizontalPodAutoscaler a100/chat: 2-4 replicas at 60% CPU",
    ]
    assert result.inputs["pid"] is None  # no local process on Kubernetes


def test_unknown_model_renders_with_a_placeholder(
    service_provider: LlmServiceProvider, kube_placement: dict[str, Any]
) -> None:
    result = service_provider.check({}, _kube(kube_placement, model=UNKNOWN, replicas=3))
    assert result.failures == []
    assert result.inputs["model"] == UNKNOWN  # the plan still shows it as unknown
    deployment = result.inputs["manifests"][0]
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["template"]["spec"]["containers"][0]["args"][:2] == [
        "--model",
        "known-after-apply",
    ]
    for manifest in result.inputs["manifests"]:
        kubernetes_validate.validate(manifest, "1.30", strict=True)


def test_unknown_pool_renders_placeholder_objects(service_provider: LlmServiceProvider) -> None:
    result = service_provider.check({}, {"pool": UNKNOWN, "model": "m", "image": IMAGE})
    assert result.failures == []
    assert result.inputs["url"] == UNKNOWN
    for manifest in result.inputs["manifests"]:
        kubernetes_validate.validate(manifest, "1.30", strict=True)


def test_whole_pool_reference_is_unwrapped(
    service_provider: LlmServiceProvider, kube_placement: dict[str, Any]
) -> None:
    pool = {"kind": "kubernetes", "id": UNKNOWN, "placement": kube_placement}
    result = service_provider.check({}, _kube(pool))
    assert result.failures == []
    assert result.inputs["pool"] == kube_placement


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"gpus": 4}, "gpus", "nodes of pool a100 have 2"),
        ({"gpus": 2, "replicas": 5}, "gpus", "exceed the pool's quota of 8"),
        ({"image": None}, "image", "needs a container image"),
        ({"autoscaling": {"max_replicas": 3}}, "resources.cpu", "needs a CPU request"),
        (
            {"replicas": 9, "resources": {"cpu": 1}, "autoscaling": {"max_replicas": 3}},
            "replicas",
            "between min_replicas and max_replicas",
        ),
        ({"autoscaling": {"min_replicas": 3, "max_replicas": 2}}, "autoscaling", "at least"),
        ({"resources": {"memory": "lots"}}, "resources.memory", "not a Kubernetes quantity"),
        ({"port": 70000}, "port", "less than or equal to 65535"),
    ],
)
def test_bad_kubernetes_services_fail_at_plan_time(
    service_provider: LlmServiceProvider,
    kube_placement: dict[str, Any],
    extra: dict[str, Any],
    field: str,
    message: str,
) -> None:
    failures = _failures(service_provider.check({}, _kube(kube_placement, **extra)))
    assert [f for f, _ in failures] == [field]
    assert message in failures[0][1]


def test_a_pool_named_by_string_is_explained(service_provider: LlmServiceProvider) -> None:
    failures = _failures(service_provider.check({}, {"pool": "a100", "model": "m"}))
    assert failures[0][0] == "pool"
    assert "${gpu_pool.NAME.placement}" in failures[0][1]


def test_local_service_checks_model_port_and_gpus(
    service_provider: LlmServiceProvider, project: Path
) -> None:
    _model_folder(project)
    ok = service_provider.check(
        {}, {"pool": _local_pool(), "model": "model", "gpus": 0, "port": 0 + 18123}
    )
    assert ok.failures == []
    assert ok.inputs["url"] == "http://127.0.0.1:18123"
    assert "manifests" not in ok.inputs
    failures = _failures(
        service_provider.check(
            {},
            {
                "pool": _local_pool(),
                "model": "model",
                "replicas": 2,
                "autoscaling": {"max_replicas": 2},
            },
        )
    )
    assert [f for f, _ in failures] == ["gpus", "replicas", "autoscaling"]
    assert "set `gpus: 0`" in failures[0][1]


@pytest.mark.parametrize(
    ("setup", "model", "message"),
    [
        (lambda p: None, "missing", "no model at"),
        (lambda p: (p / "notes.txt").write_text("x"), "notes.txt", "is a file"),
        (lambda p: (p / "empty").mkdir(), "empty", "no config.json"),
        (
            lambda p: _model_folder(p, "nocfg").joinpath("config.json").write_text("{"),
            "nocfg",
            "not JSON",
        ),
        (
            lambda p: _model_folder(p, "noweights").joinpath("model.safetensors").unlink(),
            "noweights",
            "holds no weights",
        ),
        (lambda p: None, "../outside", "escapes the project"),
        (lambda p: None, "/etc", "not absolute"),
    ],
)
def test_unloadable_models_fail_on_model(
    service_provider: LlmServiceProvider, project: Path, setup: Any, model: str, message: str
) -> None:
    setup(project)
    failures = _failures(
        service_provider.check({}, {"pool": _local_pool(), "model": model, "gpus": 0})
    )
    assert [f for f, _ in failures] == ["model"]
    assert message in failures[0][1]


def test_port_in_use_at_plan_time_fails_on_port(
    service_provider: LlmServiceProvider, project: Path
) -> None:
    _model_folder(project)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        failures = _failures(
            service_provider.check(
                {}, {"pool": _local_pool(), "model": "model", "gpus": 0, "port": port}
            )
        )
    assert failures == [("port", f"port {port} on 127.0.0.1 is already in use by another process")]


def test_services_of_one_plan_on_one_port_clash() -> None:
    local = {"pool": _local_pool(), "model": "m"}
    clashes = LlmServiceProvider.check_instances(
        {
            "llm_service.a": {**local, "port": 9000},
            "llm_service.b": {**local, "port": 9000.0},
            "llm_service.c": {**local, "port": 9001},
            "llm_service.k": {"pool": {"kind": "kubernetes"}, "port": 9000},
        }
    )
    assert sorted(clashes) == ["llm_service.a", "llm_service.b"]
    assert clashes["llm_service.a"][0].property == "port"
    assert "also used by llm_service.b" in clashes["llm_service.a"][0].reason


def test_kubernetes_create_and_update_need_the_pulumi_executor(
    service_provider: LlmServiceProvider, kube_placement: dict[str, Any]
) -> None:
    inputs = service_provider.check({}, _kube(kube_placement)).inputs
    with pytest.raises(NeedsPulumiExecutorError, match="needs the pulumi executor"):
        service_provider.create(inputs)
    with pytest.raises(NeedsPulumiExecutorError):
        service_provider.update("id", inputs, inputs)


def test_diff_updates_kubernetes_services_and_replaces_on_a_namespace_move(
    service_provider: LlmServiceProvider, kube_placement: dict[str, Any]
) -> None:
    old = service_provider.check({}, _kube(kube_placement)).inputs
    new = service_provider.check({}, _kube(kube_placement, replicas=2)).inputs
    assert service_provider.diff("id", old, old).changes is False
    diff = service_provider.diff("id", old, new)
    assert (diff.changes, diff.replaces) == (True, [])
    moved = service_provider.check({}, _kube({**kube_placement, "namespace": "other"})).inputs
    assert service_provider.diff("id", old, moved).replaces == ["pool"]


def test_diff_replaces_a_stopped_or_changed_local_service(
    service_provider: LlmServiceProvider, project: Path
) -> None:
    _model_folder(project)
    news = service_provider.check({}, {"pool": _local_pool(), "model": "model", "gpus": 0}).inputs
    running = {**news, "status": "running", "pid": 1}
    assert service_provider.diff("id", running, news).changes is False
    stopped = service_provider.diff("id", {**running, "status": "stopped"}, news)
    assert (stopped.changes, stopped.replaces) == (True, ["status"])
    changed = service_provider.diff("id", running, {**news, "args": ["--threads", "1"]})
    assert (changed.changes, changed.replaces) == (True, ["args"])
