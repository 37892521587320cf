"""Spec models of the GPU infrastructure family: ``gpu_pool`` and ``llm_service``.

A ``gpu_pool`` says where models run: a Kubernetes namespace with a GPU quota and the node
selectors and tolerations that land pods on GPU nodes (the nodes themselves stay the
cluster's), or this host (``kind: local``, its CPU and CUDA devices). An ``llm_service`` serves
a model artifact on a pool. It takes the pool's ``placement`` attribute, which the pool computes
at plan time, so the reference is an edge of the graph and the service's Kubernetes manifests
can be shown in the plan before anything exists::

    resources:
      gpu_pool.a100:
        kind: kubernetes
        accelerator: "A100:80GB:2"
        max_gpus: 8
      llm_service.chat:
        pool: ${gpu_pool.a100.placement}
        model: ${compression.int8.uri}
        gpus: 1
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from specs.accelerator import AcceleratorText
from specs.base import ForceNew, KindSpec, Outputs, ResourceSpec

__all__ = [
    "Autoscaling",
    "CpuInfo",
    "GpuDevice",
    "GpuPoolOutputs",
    "GpuPoolSpec",
    "KubernetesPoolSpec",
    "LlmServiceOutputs",
    "LlmServiceSpec",
    "LocalPoolSpec",
    "MatchExpression",
    "PoolKind",
    "PoolPlacement",
    "Readiness",
    "Resources",
    "Taint",
    "TaintEffect",
    "Toleration",
]

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# A Kubernetes resource quantity: "4", "500m", "16Gi", "1.5".
_QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?")
_TAINT = re.compile(r"(?P<key>[^=:\s]+)(=(?P<value>[^:\s]*))?:(?P<effect>\w+)")


class _Strict(BaseModel):
    """Nested blocks are as strict as the resources that hold them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid Kubernetes name (lowercase letters, digits and '-', "
            "at most 63 characters, starting and ending with a letter or digit)"
        )
    return value


def _optional_dns_label(value: Any) -> Any:
    return _dns_label(value) if isinstance(value, str) else value


def _quantity(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a quantity such as 4, 500m or 16Gi")
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str) and not _QUANTITY.fullmatch(value):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 4, 500m, 16Gi)")
    return value


class PoolKind(StrEnum):
    """Where a pool's workloads run."""

    KUBERNETES = "kubernetes"
    LOCAL = "local"


class TaintEffect(StrEnum):
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


def _taint_from_string(value: Any) -> Any:
    # kubectl's form: "key=value:Effect" or "key:Effect".
    if not isinstance(value, str):
        return value
    match = _TAINT.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a taint; write KEY[=VALUE]:EFFECT")
    return {k: v for k, v in match.groupdict().items() if v is not None}


class Taint(_Strict):
    """A taint of the pool's nodes; pods on the pool get the matching toleration."""

    key: Annotated[str, Field(min_length=1, description="Taint key, e.g. nvidia.com/gpu.")]
    value: Annotated[str | None, Field(description="Taint value; none tolerates any.")] = None
    effect: Annotated[TaintEffect, Field(description="NoSchedule, PreferNoSchedule, NoExecute.")]


class Toleration(_Strict):
    """A Kubernetes toleration (its field names are the API's)."""

    key: str
    operator: str
    value: str | None = None
    effect: str


class MatchExpression(_Strict):
    """A node-affinity requirement (the API's ``NodeSelectorRequirement``)."""

    key: str
    operator: str
    values: list[str]


class GpuDevice(_Strict):
    """A CUDA device of this host, as ``nvidia-smi`` reports it."""

    index: int
    name: str
    memory_mib: int
    product: Annotated[str, Field(description="The GPU feature discovery product label.")]


class CpuInfo(_Strict):
    model: str
    cores: int
    memory_mib: int


class _PoolKind(KindSpec):
    """Fields every kind of pool has."""

    plural: ClassVar[str] = "pools"
    misplaced_field: ClassVar[str] = "`{field}` applies to {owners} pools only"

    kind: Annotated[
        PoolKind, ForceNew(), Field(description="`kubernetes` (a namespace) or `local`.")
    ]
    accelerator: Annotated[
        AcceleratorText | None,
        Field(
            description="GPUs of a node as NAME[:MEMORY][:COUNT] (dstack syntax), e.g. "
            '"A100:80GB:2"; COUNT is GPUs per node (default 1).'
        ),
    ] = None
    max_gpus: Annotated[
        int | None,
        Field(ge=0, description="ResourceQuota on requests.nvidia.com/gpu in the namespace."),
    ] = None
    labels: Annotated[
        dict[str, str], Field(description="Labels put on the pool's Kubernetes objects.")
    ] = {}


class KubernetesPoolSpec(_PoolKind):
    """A Kubernetes namespace with a GPU quota and the selectors that land pods on GPU nodes."""

    kind: Annotated[Literal[PoolKind.KUBERNETES], ForceNew(), Field(description="`kubernetes`.")]
    namespace: Annotated[
        str | None,
        ForceNew(),
        BeforeValidator(_optional_dns_label),
        Field(description="Kubernetes namespace of the pool; defaults to the pool's name."),
    ] = None
    create_namespace: Annotated[
        bool, Field(description="Create the namespace (false: it exists already).")
    ] = True
    taints: Annotated[
        list[Annotated[Taint, BeforeValidator(_taint_from_string)]],
        Field(description='Taints of the GPU nodes ("key=value:Effect"); become tolerations.'),
    ] = []
    node_selector: Annotated[
        dict[str, str], Field(description="Extra node labels the pool's pods require.")
    ] = {}


class LocalPoolSpec(_PoolKind):
    """This host: its CPU and CUDA devices."""

    kind: Annotated[Literal[PoolKind.LOCAL], ForceNew(), Field(description="`local`.")]


GpuPoolSpec = Annotated[KubernetesPoolSpec | LocalPoolSpec, Field(discriminator="kind")]
"""Where GPU workloads run: a Kubernetes namespace with a GPU quota, or this host."""


class PoolPlacement(_Strict):
    """What a workload needs to know of its pool; computed by the pool at plan time."""

    kind: PoolKind
    name: Annotated[str, Field(description="The pool's name (its address without the type).")]
    namespace: Annotated[str, Field(description="Kubernetes namespace (local: empty).")] = ""
    accelerator: str | None = None
    gpu_products: Annotated[
        list[str], Field(description="GPU feature discovery product labels that match.")
    ] = []
    gpu_memory_gb: int | None = None
    gpus_per_node: Annotated[int, Field(description="GPUs one node (or this host) has.")] = 0
    max_gpus: int | None = None
    node_selector: dict[str, str] = {}
    node_affinity: list[MatchExpression] = []
    tolerations: list[Toleration] = []
    labels: dict[str, str] = {}


def _unwrap_pool(value: Any) -> Any:
    # `pool: ${gpu_pool.x}` (a whole resource) carries its placement inside.
    if isinstance(value, dict) and isinstance(value.get("placement"), dict):
        return value["placement"]
    if isinstance(value, str):
        raise ValueError(
            "reference the pool's placement, e.g. `pool: ${gpu_pool.NAME.placement}`: the "
            "service needs the pool's namespace, selectors and GPUs at plan time"
        )
    return value


class GpuPoolOutputs(Outputs):
    placement: Annotated[
        PoolPlacement | None, Field(description="What services on the pool need (plan time).")
    ] = None
    manifests: Annotated[
        list[dict[str, Any]], Field(description="Kubernetes objects of the pool (plan time).")
    ] = []
    objects: Annotated[
        list[str], Field(description="One line per Kubernetes object (plan time).")
    ] = []
    devices: Annotated[list[GpuDevice], Field(description="CUDA devices (local pools).")] = []
    cpu: Annotated[CpuInfo | None, Field(description="This host's CPU (local pools).")] = None


class Resources(_Strict):
    cpu: Annotated[
        str | None, BeforeValidator(_quantity), Field(description="CPU request, e.g. 4.")
    ] = None
    memory: Annotated[
        str | None,
        BeforeValidator(_quantity),
        Field(description="Memory request and limit, e.g. 16Gi."),
    ] = None


class Autoscaling(_Strict):
    """A HorizontalPodAutoscaler on CPU utilization (Kubernetes pools)."""

    min_replicas: Annotated[int, Field(ge=1, description="Fewest replicas.")] = 1
    max_replicas: Annotated[int, Field(ge=1, description="Most replicas.")]
    target_utilization: Annotated[
        int, Field(ge=1, le=100, description="Target average CPU use, percent of the request.")
    ] = 70

    @model_validator(mode="after")
    def _ordered(self) -> Autoscaling:
        if self.max_replicas < self.min_replicas:
            raise ValueError("max_replicas must be at least min_replicas")
        return self


class Readiness(_Strict):
    path: Annotated[str, Field(pattern=r"^/", description="HTTP path that answers 200.")] = (
        "/health"
    )
    initial_delay_s: Annotated[int, Field(ge=0, description="Wait before the first probe.")] = 5
    period_s: Annotated[int, Field(ge=1, description="Seconds between probes.")] = 10
    timeout_s: Annotated[
        int,
        Field(
            ge=1,
            description="How long a rollout may take to become ready (local: create waits "
            "this long; Kubernetes: the Deployment's progress deadline).",
        ),
    ] = 300


class LlmServiceSpec(ResourceSpec):
    """A model served over HTTP with an OpenAI-style completions API."""

    pool: Annotated[
        PoolPlacement,
        BeforeValidator(_unwrap_pool),
        Field(description="The pool's placement: `${gpu_pool.NAME.placement}`."),
    ]
    model: Annotated[
        str,
        Field(
            min_length=1,
            description="Model artifact URI or model folder inside the project (local pools); "
            "on Kubernetes, what the image's --model takes.",
        ),
    ]
    replicas: Annotated[int, Field(ge=1, description="Pods (local pools: 1).")] = 1
    gpus: Annotated[int, Field(ge=0, description="GPUs per replica.")] = 1
    resources: Annotated[Resources, Field(description="CPU and memory per replica.")] = Resources()
    autoscaling: Annotated[
        Autoscaling | None, Field(description="Scale between min and max replicas.")
    ] = None
    port: Annotated[int, Field(ge=1, le=65535, description="HTTP port of the server.")] = 8000
    readiness: Annotated[Readiness, Field(description="Readiness probe.")] = Readiness()
    image: Annotated[
        str | None,
        Field(description="Container image (Kubernetes pools); it takes --model and --port."),
    ] = None
    args: Annotated[list[str], Field(description="Extra arguments of the server.")] = []


class LlmServiceOutputs(Outputs):
    url: Annotated[str, Field(description="Base URL of the service (plan time).")] = ""
    manifests: Annotated[
        list[dict[str, Any]], Field(description="Kubernetes objects (plan time).")
    ] = []
    objects: Annotated[
        list[str], Field(description="One line per Kubernetes object, with GPUs (plan time).")
    ] = []
    status: Annotated[str, Field(description="running or stopped (local pools).")] = ""
    pid: Annotated[int | None, Field(description="Server process id (local pools).")] = None
    model_path: Annotated[str, Field(description="The model folder the server loaded.")] = ""
    log_path: Annotated[str, Field(description="The server's log (local pools).")] = ""
