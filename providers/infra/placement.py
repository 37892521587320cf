"""A pool's placement: the namespace, selectors, tolerations and GPUs its workloads get.

Computed from the pool's spec at plan time (and, for a local pool, from the devices found on
this host), so a service bound to the pool can render its manifests and check its GPU count
before anything is created.
"""

from __future__ import annotations

import re

from providers.infra.errors import PlacementError
from providers.infra.gpu_products import MEMORY_LABEL, PRODUCT_LABEL, GpuSelection, select_gpus
from specs.accelerator import AcceleratorError, parse_accelerator
from specs.infra import (
    GpuDevice,
    GpuPoolSpec,
    KubernetesPoolSpec,
    LocalPoolSpec,
    MatchExpression,
    PoolKind,
    PoolPlacement,
    Taint,
    Toleration,
)

__all__ = ["build_placement", "object_name", "pool_labels"]

MANAGED_BY = {"app.kubernetes.io/managed-by": "opspec"}


def object_name(address: str, fallback: str) -> str:
    """A Kubernetes object name (DNS-1035 label) for the resource at ``address``.

    ``llm_service.chat`` gives ``chat``; ``llm_service.chat["eu"]`` gives ``chat-eu``.
    """
    _, _, rest = address.partition(".")
    name = re.sub(r"[^a-z0-9-]+", "-", (rest or address).lower()).strip("-")
    name = re.sub(r"-{2,}", "-", name) or fallback
    if not name[0].isalpha():
        name = f"{fallback}-{name}"
    return name[:63].rstrip("-")


def pool_labels(spec: GpuPoolSpec, name: str) -> dict[str, str]:
    return {**MANAGED_BY, "opspec.dev/pool": name, **spec.labels}


def _toleration(taint: Taint) -> Toleration:
    if taint.value is None:
        return Toleration(key=taint.key, operator="Exists", effect=taint.effect.value)
    return Toleration(key=taint.key, operator="Equal", value=taint.value, effect=taint.effect.value)


def _parse(spec: GpuPoolSpec) -> GpuSelection | None:
    if spec.accelerator is None:
        return None
    try:
        return select_gpus(parse_accelerator(spec.accelerator))
    except AcceleratorError as exc:
        raise PlacementError("accelerator", str(exc)) from exc


def _kubernetes(spec: KubernetesPoolSpec, name: str, accel: GpuSelection | None) -> PoolPlacement:
    selector = dict(spec.node_selector)
    affinity: list[MatchExpression] = []
    if accel is not None and PRODUCT_LABEL not in selector:
        if len(accel.products) == 1:
            selector[PRODUCT_LABEL] = accel.products[0].label
        else:
            affinity.append(MatchExpression(key=PRODUCT_LABEL, operator="In", values=accel.labels))
    threshold = accel.memory_threshold_mib() if accel else None
    if threshold is not None and MEMORY_LABEL not in selector:
        affinity.append(MatchExpression(key=MEMORY_LABEL, operator="Gt", values=[str(threshold)]))
    return PoolPlacement(
        kind=PoolKind.KUBERNETES,
        name=name,
        namespace=spec.namespace or name,
        accelerator=spec.accelerator,
        gpu_products=accel.labels if accel else [],
        gpu_memory_gb=accel.accelerator.memory_gb if accel else None,
        gpus_per_node=accel.accelerator.count if accel else 0,
        max_gpus=spec.max_gpus,
        node_selector=selector,
        node_affinity=affinity,
        tolerations=[_toleration(t) for t in spec.taints],
        labels=pool_labels(spec, name),
    )


def _local(
    spec: LocalPoolSpec, name: str, accel: GpuSelection | None, devices: list[GpuDevice]
) -> PoolPlacement:
    usable = devices
    if accel is not None:
        wanted = set(accel.labels)
        usable = [d for d in devices if d.product in wanted]
        wanted_count = accel.accelerator.count
        if len(usable) < wanted_count:
            found = ", ".join(d.name for d in devices) or "no CUDA device"
            raise PlacementError(
                "accelerator",
                f"this host has {len(usable)} {accel.accelerator.name} GPU(s), the pool asks "
                f"for {wanted_count} (found: {found})",
            )
    return PoolPlacement(
        kind=PoolKind.LOCAL,
        name=name,
        accelerator=spec.accelerator,
        gpu_products=sorted({d.product for d in usable}),
        gpu_memory_gb=accel.accelerator.memory_gb if accel else None,
        gpus_per_node=len(usable),
        max_gpus=spec.max_gpus,
        labels=pool_labels(spec, name),
    )


def build_placement(spec: GpuPoolSpec, name: str, devices: list[GpuDevice]) -> PoolPlacement:
    """The placement of pool ``name``; raises :class:`PlacementError` on a bad spec."""
    accel = _parse(spec)
    if isinstance(spec, KubernetesPoolSpec):
        return _kubernetes(spec, name, accel)
    return _local(spec, name, accel, devices)
