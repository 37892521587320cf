"""The ``gpu_pool`` provider: a Kubernetes namespace with a GPU quota, or this host's devices.

``check`` computes the pool's ``placement`` (namespace, node selector and affinity from the
accelerator, tolerations from the taints, GPUs per node) and, for Kubernetes, the manifests of
its Namespace and ResourceQuota, so both are known at plan time. A local pool detects this
host's CPU and CUDA devices (``nvidia-smi``; no torch) in ``check`` and again in ``read``, where
a changed set of devices shows as drift.

Node provisioning stays the cluster's (its autoscaler or Karpenter): opspec never pretends to
create nodes. Kubernetes objects are created only by the ``pulumi`` executor, which registers
them through :func:`providers.infra.build_kubernetes_objects`; the local executor refuses them.
"""

from __future__ import annotations

import socket
from typing import Any, ClassVar

from pydantic import ValidationError

from engine.expr.unknown import UNKNOWN
from engine.providers import (
    CreateResult,
    DiffResult,
    Provider,
    ReadResult,
    denormalize_floats,
)
from providers.infra.devices import detect_cpu, detect_gpus
from providers.infra.errors import NeedsPulumiExecutorError, PlacementError
from providers.infra.manifests import describe_objects, pool_manifests
from providers.infra.native import KubernetesNative
from providers.infra.placeholders import fill_unknowns
from providers.infra.placement import build_placement, object_name
from specs.base import SpecType, kind_of
from specs.infra import GpuPoolOutputs, GpuPoolSpec, KubernetesPoolSpec

__all__ = ["GpuPoolProvider"]

_DERIVED = ("placement", "manifests", "objects", "devices", "cpu")


class GpuPoolProvider(Provider, KubernetesNative):
    """Places workloads: a Kubernetes namespace (with quota and selectors) or this host."""

    type_name: ClassVar[str] = "gpu_pool"
    spec: ClassVar[SpecType] = GpuPoolSpec
    outputs: ClassVar[type[GpuPoolOutputs]] = GpuPoolOutputs

    @property
    def pool_name(self) -> str:
        return object_name(self.ctx.address, "pool")

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """The placement and, for Kubernetes, the manifests (a PlacementError names the input
        that cannot be placed)."""
        return self._derived(spec)

    def partial_attributes(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Placement depends on values not known yet; manifests are shown with placeholders."""
        model = kind_of(GpuPoolSpec, inputs)
        if model is None:
            return {}  # the pool's kind is itself known only after apply
        filled, _ = fill_unknowns(model, inputs)
        try:
            derived = self._derived(self.model(filled), detect=False)
        except (ValidationError, PlacementError):
            return {}
        manifests = derived.get("manifests", [])
        return {
            "placement": UNKNOWN,
            "manifests": manifests,
            "objects": describe_objects(manifests),
        }

    def _derived(self, spec: GpuPoolSpec, *, detect: bool = True) -> dict[str, Any]:
        """Values computed from the spec (and this host, for local pools)."""
        if isinstance(spec, KubernetesPoolSpec):
            placement = build_placement(spec, self.pool_name, [])
            manifests = pool_manifests(spec, placement)
            return {
                "placement": placement.model_dump(mode="json"),
                "manifests": manifests,
                "objects": describe_objects(manifests),
                "devices": [],  # the cluster's nodes are not this host's to list
                "cpu": None,
            }
        devices = detect_gpus() if detect else []
        placement = build_placement(spec, self.pool_name, devices)
        return {
            "placement": placement.model_dump(mode="json"),
            "devices": [d.model_dump(mode="json") for d in devices],
            "cpu": detect_cpu().model_dump(mode="json"),
        }

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        derived = [
            k
            for k in _DERIVED
            if k in news and denormalize_floats(olds.get(k)) != denormalize_floats(news[k])
        ]
        if not derived:
            return result
        return DiffResult(
            changes=True,
            replaces=result.replaces,
            stables=result.stables,
            delete_before_replace=True,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        if isinstance(spec, KubernetesPoolSpec):
            raise NeedsPulumiExecutorError(self.ctx.address or "gpu_pool")
        outs = {**props, **self._derived(spec)}
        return CreateResult(f"local:{socket.gethostname()}", outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        spec = self.model(props)
        if isinstance(spec, KubernetesPoolSpec):
            # Only the pulumi executor talks to the cluster; nothing to observe from here.
            return ReadResult(id_, props)
        try:
            derived = self._derived(spec)
        except PlacementError:
            # The devices the pool asked for are gone: show it (drift) rather than fail.
            derived = {"devices": [d.model_dump(mode="json") for d in detect_gpus()]}
        return ReadResult(id_, {**props, **derived})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: a local pool is this host, and Kubernetes pools are the pulumi
        executor's (the local executor never creates them)."""
        return None
