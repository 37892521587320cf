"""The Kubernetes program under Pulumi's mocks: type tokens, names, dependencies, manifests.

The program registers the objects through ``pulumi_kubernetes`` exactly as the ``pulumi``
executor will; the mock monitor records every registration (with its dependencies), and each
captured object must equal the manifest the plan showed and pass the Kubernetes 1.30 schemas.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import kubernetes_validate
import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs

from engine.providers import denormalize_floats
from providers.infra import build_kubernetes_objects
from providers.infra.gpu_pool import GpuPoolProvider
from providers.infra.llm_service import LlmServiceProvider

NAMESPACE = "kubernetes:core/v1:Namespace"
QUOTA = "kubernetes:core/v1:ResourceQuota"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return {}


class _Recorder(MockMonitor):  # type: ignore[misc]
    """The mock monitor, keeping each registration's type, name, inputs and dependencies."""

    def __init__(self) -> None:
        super().__init__(_Mocks())
        self.registered: dict[str, dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = pulumi.runtime.rpc.deserialize_properties(request.object)
            self.registered[request.name] = {
                "type": request.type,
                "urn": response.urn,
                "inputs": denormalize_floats(inputs),
                "dependencies": set(request.dependencies),
            }
        return response


@pytest.fixture
def recorder() -> Iterator[_Recorder]:
    monitor = _Recorder()
    pulumi.runtime.set_mocks(_Mocks(), preview=False, monitor=monitor)
    yield monitor
    # Leave Pulumi's process-wide settings as a fresh process has them.
    pulumi.runtime.settings.reset_options(
        project="project",
        stack="stack",
        root_directory="root_directory",
        organization="organization",
    )


def _run(program: Callable[[], Any]) -> None:
    pulumi.runtime.test(program)()


def _manifest(registered: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in registered["inputs"].items()
        if k in ("apiVersion", "kind", "metadata", "spec")
    }


def _canonical(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, sort_keys=True)


def test_pool_and_service_objects(
    recorder: _Recorder,
    pool_provider: GpuPoolProvider,
    service_provider: LlmServiceProvider,
) -> None:
    pool = pool_provider.check(
        {},
        {
            "kind": "kubernetes",
            "accelerator": "H100-80GB-HBM3:8",
            "max_gpus": 16,
            "taints": ["nvidia.com/gpu=present:NoSchedule"],
        },
    ).inputs
    service = service_provider.check(
        {},
        {
            "pool": pool["placement"],
            "model": "artifact://sha256/" + "cd" * 32,
            "image": "vllm/vllm-openai:v0.6.3",
            "gpus": 4,
            "resources": {"cpu": 16, "memory": "128Gi"},
            "autoscaling": {"min_replicas": 1, "max_replicas": 4},
        },
    ).inputs

    def program() -> Any:
        objects = build_kubernetes_objects("gpu_pool", "gpu_pool.a100", pool)
        build_kubernetes_objects(
            "llm_service", "llm_service.chat", service, depends_on=list(objects.values())
        )

    _run(program)
    reg = recorder.registered
    assert {name: r["type"] for name, r in reg.items()} == {
        "gpu_pool.a100/Namespace": NAMESPACE,
        "gpu_pool.a100/ResourceQuota": QUOTA,
        "llm_service.chat/Deployment": DEPLOYMENT,
        "llm_service.chat/Service": SERVICE,
        "llm_service.chat/HorizontalPodAutoscaler": HPA,
    }
    namespace, quota = reg["gpu_pool.a100/Namespace"], reg["gpu_pool.a100/ResourceQuota"]
    deployment = reg["llm_service.chat/Deployment"]
    hpa = reg["llm_service.chat/HorizontalPodAutoscaler"]
    assert namespace["urn"] in quota["dependencies"]
    for name in ("Deployment", "Service", "HorizontalPodAutoscaler"):
        assert {namespace["urn"], quota["urn"]} <= reg[f"llm_service.chat/{name}"]["dependencies"]
    assert deployment["urn"] in hpa["dependencies"]

    pod = deployment["inputs"]["spec"]["template"]["spec"]
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "4"
    assert pod["nodeSelector"] == {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]
    assert quota["inputs"]["spec"]["hard"] == {"requests.nvidia.com/gpu": "16"}
    assert quota["inputs"]["metadata"]["namespace"] == "a100"

    planned = pool["manifests"] + service["manifests"]
    captured = [_manifest(r) for r in reg.values()]
    # The plan shows exactly what registers.
    assert sorted(map(_canonical, captured)) == sorted(map(_canonical, planned))
    for manifest in captured:
        kubernetes_validate.validate(manifest, "1.30", strict=True)


def test_a_model_known_after_apply_is_wired_as_a_dependency(
    recorder: _Recorder, kube_placement: dict[str, Any], service_provider: LlmServiceProvider
) -> None:
    service = service_provider.check(
        {}, {"pool": kube_placement, "model": "m", "image": "img:1", "gpus": 1}
    ).inputs

    def program() -> Any:
        import pulumi_kubernetes as k8s

        upstream = k8s.core.v1.ConfigMap("model-source", data={"uri": "artifact://sha256/ef"})
        inputs = {**service, "model": upstream.data.apply(lambda d: d["uri"])}
        build_kubernetes_objects("llm_service", "llm_service.chat", inputs)

    _run(program)
    reg = recorder.registered
    assert sorted(r["type"] for r in reg.values()) == sorted([CONFIGMAP, DEPLOYMENT, SERVICE])
    deployment = reg["llm_service.chat/Deployment"]
    assert reg["model-source"]["urn"] in deployment["dependencies"]
    args = deployment["inputs"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["--model", "artifact://sha256/ef"]
    assert "replicas" in deployment["inputs"]["spec"]  # no autoscaler: a fixed count


def test_local_pools_have_no_kubernetes_objects(recorder: _Recorder) -> None:
    local = {"pool": {"kind": "local", "name": "here"}, "model": "m"}

    def program() -> Any:
        assert build_kubernetes_objects("gpu_pool", "gpu_pool.here", {"kind": "local"}) == {}
        assert build_kubernetes_objects("llm_service", "llm_service.x", local) == {}

    _run(program)
    assert recorder.registered == {}
    with pytest.raises(ValueError, match="no Kubernetes objects"):
        build_kubernetes_objects("dataset", "dataset.x", {})
