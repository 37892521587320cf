"""The gpu_pool provider: placement and manifests at plan time, local devices, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest

from engine.expr.unknown import UNKNOWN
from providers.infra.errors import NeedsPulumiExecutorError
from providers.infra.gpu_pool import GpuPoolProvider

H100S = "0, NVIDIA H100 80GB HBM3, 81559\n1, NVIDIA H100 80GB HBM3, 81559"


def _failures(result: Any) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in result.failures]


def test_kubernetes_pool_computes_placement_and_manifests(
    pool_provider: GpuPoolProvider,
) -> None:
    result = pool_provider.check(
        {},
        {
            "kind": "kubernetes",
            "namespace": "llm",
            "accelerator": "A100-SXM4-80GB:4",
            "max_gpus": 16.0,  # Pulumi's wire format
            "taints": [
                "nvidia.com/gpu:NoSchedule",
                {"key": "team", "value": "ml", "effect": "NoExecute"},
            ],
            "node_selector": {"cloud.google.com/gke-spot": "true"},
            "labels": {"team": "ml"},
        },
    )
    assert result.failures == []
    placement = result.inputs["placement"]
    assert placement["namespace"] == "llm"
    assert placement["gpus_per_node"] == 4
    assert placement["node_selector"] == {
        "cloud.google.com/gke-spot": "true",
        "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
    }
    assert placement["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "value": None, "effect": "NoSchedule"},
        {"key": "team", "operator": "Equal", "value": "ml", "effect": "NoExecute"},
    ]
    kinds = [(m["kind"], m["metadata"]["name"]) for m in result.inputs["manifests"]]
    assert kinds == [("Namespace", "llm"), ("ResourceQuota", "a100-gpus")]
    quota = result.inputs["manifests"][1]
    assert quota["metadata"]["namespace"] == "llm"
    assert quota["spec"]["hard"] == {"requests.nvidia.com/gpu": "16"}
    assert quota["metadata"]["labels"]["team"] == "ml"
    for manifest in result.inputs["manifests"]:
        kubernetes_validate.validate(manifest, "1.30", strict=True)
    assert result.inputs["objects"] == [
        "Namespace llm",
        "ResourceQuota llm/a100-gpus: at most 16 GPUs",
    ]


def test_existing_namespace_and_no_quota_render_nothing(pool_provider: GpuPoolProvider) -> None:
    result = pool_provider.check(
        {}, {"kind": "kubernetes", "namespace": "default", "create_namespace": False}
    )
    assert result.failures == []
    assert result.inputs["manifests"] == []
    assert result.inputs["placement"]["gpus_per_node"] == 0


@pytest.mark.parametrize(
    ("news", "field", "message"),
    [
        ({"accelerator": "A100:80GB:two"}, "accelerator", "neither a memory size"),
        ({"accelerator": "B9000"}, "accelerator", "unknown GPU"),
        ({"taints": ["nvidia.com/gpu"]}, "taints.0", "KEY[=VALUE]:EFFECT"),
        ({"taints": ["gpu:NoWay"]}, "taints.0.effect", "NoSchedule"),
        ({"namespace": "Not_A_Name"}, "namespace", "not a valid Kubernetes name"),
        ({"max_gpus": -1}, "max_gpus", "greater than or equal to 0"),
        ({"acelerator": "A100"}, "acelerator", "Extra inputs"),
    ],
)
def test_bad_pool_inputs_fail_on_their_field(
    pool_provider: GpuPoolProvider, news: dict[str, Any], field: str, message: str
) -> None:
    failures = _failures(pool_provider.check({}, {"kind": "kubernetes", **news}))
    assert len(failures) == 1
    assert failures[0][0] == field
    assert message in failures[0][1]


def test_unknown_namespace_shows_placeholder_manifests(pool_provider: GpuPoolProvider) -> None:
    result = pool_provider.check({}, {"kind": "kubernetes", "namespace": UNKNOWN, "max_gpus": 2})
    assert result.failures == []
    assert result.inputs["placement"] == UNKNOWN
    assert result.inputs["namespace"] == UNKNOWN
    namespace = result.inputs["manifests"][0]
    assert namespace["metadata"]["name"] == "known-after-apply"
    for manifest in result.inputs["manifests"]:
        kubernetes_validate.validate(manifest, "1.30", strict=True)


def test_local_pool_detects_devices(
    pool_provider: GpuPoolProvider, fake_gpus: Callable[[str], None]
) -> None:
    fake_gpus(H100S)
    result = pool_provider.check({}, {"kind": "local", "accelerator": "H100:2"})
    assert result.failures == []
    assert result.inputs["placement"]["gpus_per_node"] == 2
    assert result.inputs["placement"]["gpu_products"] == ["NVIDIA-H100-80GB-HBM3"]
    assert len(result.inputs["devices"]) == 2
    assert result.inputs["cpu"]["cores"] >= 1
    created = pool_provider.create(result.inputs)
    assert created.id.startswith("local:")
    assert pool_provider.read(created.id, created.outs).outs == created.outs


def test_local_pool_without_the_gpus_it_asks_for_fails(
    pool_provider: GpuPoolProvider, fake_gpus: Callable[[str], None]
) -> None:
    failures = _failures(pool_provider.check({}, {"kind": "local", "accelerator": "A100:1"}))
    assert failures == [
        ("accelerator", "this host has 0 A100 GPU(s), the pool asks for 1 (found: no CUDA device)")
    ]


def test_local_pool_refuses_kubernetes_fields(
    pool_provider: GpuPoolProvider, fake_gpus: Callable[[str], None]
) -> None:
    failures = _failures(pool_provider.check({}, {"kind": "local", "namespace": "x"}))
    assert failures == [("namespace", "`namespace` applies to kubernetes pools only")]


def test_read_of_a_local_pool_shows_lost_devices_as_drift(
    pool_provider: GpuPoolProvider, fake_gpus: Callable[[str], None]
) -> None:
    fake_gpus(H100S)
    created = pool_provider.create(pool_provider.check({}, {"kind": "local"}).inputs)
    fake_gpus("0, NVIDIA H100 80GB HBM3, 81559")
    read = pool_provider.read(created.id, created.outs)
    assert read.outs != created.outs
    assert read.outs["placement"]["gpus_per_node"] == 1
    diff = pool_provider.diff(
        created.id, read.outs, pool_provider.check({}, {"kind": "local"}).inputs
    )
    assert diff.changes is False  # the inputs still describe this host
    diff = pool_provider.diff(created.id, created.outs, read.outs)
    assert diff.changes is True


def test_kubernetes_create_needs_the_pulumi_executor(
    pool_provider: GpuPoolProvider, kube_placement: dict[str, Any]
) -> None:
    inputs = pool_provider.check({}, {"kind": "kubernetes", "accelerator": "L4"}).inputs
    with pytest.raises(NeedsPulumiExecutorError, match="needs the pulumi executor and a cluster"):
        pool_provider.create(inputs)
    pool_provider.delete("", inputs)  # nothing was created: deleting is a no-op


def test_changing_the_namespace_replaces_the_pool(pool_provider: GpuPoolProvider) -> None:
    old = pool_provider.check({}, {"kind": "kubernetes", "namespace": "a"}).inputs
    new = pool_provider.check({}, {"kind": "kubernetes", "namespace": "b"}).inputs
    diff = pool_provider.diff("id", old, new)
    assert diff.changes is True
    assert diff.replaces == ["namespace"]
    assert pool_provider.diff("id", old, old).changes is False
