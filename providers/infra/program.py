"""The Pulumi program of GPU infrastructure: ``pulumi_kubernetes`` resources for pools and services.

The ``pulumi`` executor calls :func:`build_kubernetes_objects` for every ``gpu_pool`` and
``llm_service`` on a Kubernetes pool, inside its inline Automation API program (and tests call
it under ``pulumi.runtime.set_mocks``). The objects are rendered by the same functions that
render the plan's manifests (:mod:`providers.infra.manifests`), so the plan shows what Pulumi
registers. Inputs may hold ``pulumi.Output`` values (a service's ``model`` is usually another
resource's output): rendering then waits for them, and the dependency follows.

Dependencies: a ResourceQuota takes its namespace from the Namespace object; a service's
objects depend on its pool's objects (``depends_on``, passed by the caller, who knows the graph);
the HorizontalPodAutoscaler depends on the Deployment it scales.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi

from providers.infra.manifests import pool_manifests, service_manifests
from providers.infra.placement import build_placement, object_name
from specs.base import SpecType, field_names, validate_spec
from specs.infra import GpuPoolSpec, KubernetesPoolSpec, LlmServiceSpec, PoolKind

__all__ = ["build_kubernetes_objects", "gpu_pool_objects", "llm_service_objects"]


def _resource_class(kind: str) -> Any:
    import pulumi_kubernetes as k8s

    classes = {
        "Namespace": k8s.core.v1.Namespace,
        "ResourceQuota": k8s.core.v1.ResourceQuota,
        "Service": k8s.core.v1.Service,
        "Deployment": k8s.apps.v1.Deployment,
        "HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    }
    return classes[kind]


def _logical_name(address: str, kind: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", address).strip("-") + f"/{kind}"


def _spec_fields(spec: SpecType, inputs: Mapping[str, Any]) -> dict[str, Any]:
    fields = field_names(spec)
    return {k: v for k, v in inputs.items() if k in fields}


def _pick(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda values: values[key]


def _options(
    opts: pulumi.ResourceOptions | None, depends_on: Sequence[pulumi.Resource]
) -> pulumi.ResourceOptions:
    extra = pulumi.ResourceOptions(depends_on=list(depends_on))
    return pulumi.ResourceOptions.merge(opts or pulumi.ResourceOptions(), extra)


def gpu_pool_objects(
    address: str, inputs: Mapping[str, Any], *, opts: pulumi.ResourceOptions | None = None
) -> dict[str, pulumi.CustomResource]:
    """The Namespace and ResourceQuota of a Kubernetes ``gpu_pool``, by kind."""
    spec = validate_spec(GpuPoolSpec, _spec_fields(GpuPoolSpec, inputs))
    if not isinstance(spec, KubernetesPoolSpec):
        return {}
    placement = build_placement(spec, object_name(address, "pool"), [])
    objects: dict[str, pulumi.CustomResource] = {}
    for manifest in pool_manifests(spec, placement):
        kind = manifest["kind"]
        metadata = dict(manifest["metadata"])
        if kind == "ResourceQuota" and "Namespace" in objects:
            metadata["namespace"] = objects["Namespace"].metadata.apply(  # type: ignore[attr-defined]
                lambda m: m["name"]
            )
        objects[kind] = _resource_class(kind)(
            _logical_name(address, kind),
            metadata=metadata,
            spec=manifest.get("spec"),
            opts=_options(opts, []),
        )
    return objects


def llm_service_objects(
    address: str,
    inputs: Mapping[str, Any],
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, pulumi.CustomResource]:
    """The Deployment, Service and HorizontalPodAutoscaler of an ``llm_service``, by kind.

    ``inputs`` are the service's checked inputs; values may be ``pulumi.Output``s.
    ``depends_on`` are the objects of its pool.
    """
    name = object_name(address, "svc")
    fields = _spec_fields(LlmServiceSpec, inputs)
    pool = fields.get("pool")
    if isinstance(pool, Mapping) and pool.get("kind") == PoolKind.LOCAL:
        return {}
    kinds = ["Deployment", "Service"]
    if fields.get("autoscaling") is not None:
        kinds.append("HorizontalPodAutoscaler")

    def render(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
        spec = LlmServiceSpec.model_validate(values)
        return {m["kind"]: m for m in service_manifests(spec, name)}

    rendered = pulumi.Output.from_input(fields).apply(render)
    objects: dict[str, pulumi.CustomResource] = {}
    for kind in kinds:
        manifest = rendered.apply(_pick(kind))
        after = [objects["Deployment"]] if kind == "HorizontalPodAutoscaler" else []
        objects[kind] = _resource_class(kind)(
            _logical_name(address, kind),
            metadata=manifest.apply(_pick("metadata")),
            spec=manifest.apply(_pick("spec")),
            opts=_options(opts, [*depends_on, *after]),
        )
    return objects


def build_kubernetes_objects(
    type_name: str,
    address: str,
    inputs: Mapping[str, Any],
    *,
    depends_on: Sequence[pulumi.Resource] = (),
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, pulumi.CustomResource]:
    """The ``pulumi_kubernetes`` resources of one opspec resource (empty for local pools)."""
    if type_name == "gpu_pool":
        return gpu_pool_objects(address, inputs, opts=_options(opts, depends_on))
    if type_name == "llm_service":
        return llm_service_objects(address, inputs, depends_on=depends_on, opts=opts)
    raise ValueError(f"{type_name} has no Kubernetes objects")
