"""The Kubernetes objects of pools and services, as complete manifests (camelCase dicts).

One pure function per resource type renders every object it owns; the plan shows exactly these
manifests and the Pulumi program (:mod:`providers.infra.program`) registers exactly these, so
what a reviewer reads in the plan is what the cluster receives.

A pool owns a ``Namespace`` (unless it exists already) and a ``ResourceQuota`` on
``requests.nvidia.com/gpu`` (Kubernetes accepts only the ``requests.`` prefix for extended
resources: they cannot be overcommitted, so a limit quota would say nothing more). A service
owns a ``Deployment`` (GPU limits, the pool's node selector, affinity and tolerations, a
memory-backed ``/dev/shm`` for the inference runtime's shared memory, a readiness probe), a
``Service`` and, with autoscaling, an ``autoscaling/v2`` ``HorizontalPodAutoscaler``.
"""

from __future__ import annotations

from typing import Any

from specs.infra import KubernetesPoolSpec, LlmServiceSpec, PoolPlacement

__all__ = [
    "GPU_RESOURCE",
    "describe_objects",
    "pool_manifests",
    "service_manifests",
    "service_url",
]

GPU_RESOURCE = "nvidia.com/gpu"
LOCAL_HOST = "127.0.0.1"


def pool_manifests(spec: KubernetesPoolSpec, placement: PoolPlacement) -> list[dict[str, Any]]:
    """The Namespace and ResourceQuota of a Kubernetes pool."""
    labels = dict(placement.labels)
    out: list[dict[str, Any]] = []
    if spec.create_namespace:
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": placement.namespace, "labels": labels},
            }
        )
    if spec.max_gpus is not None:
        out.append(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": {
                    "name": f"{placement.name}-gpus",
                    "namespace": placement.namespace,
                    "labels": labels,
                },
                "spec": {"hard": {f"requests.{GPU_RESOURCE}": str(spec.max_gpus)}},
            }
        )
    return out


def service_url(spec: LlmServiceSpec, name: str) -> str:
    if spec.pool.kind == "local":
        return f"http://{LOCAL_HOST}:{spec.port}"
    return f"http://{name}.{spec.pool.namespace}.svc.cluster.local:{spec.port}"


def _resources(spec: LlmServiceSpec) -> dict[str, dict[str, str]]:
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if spec.resources.cpu is not None:
        requests["cpu"] = spec.resources.cpu
    if spec.resources.memory is not None:
        requests["memory"] = limits["memory"] = spec.resources.memory
    if spec.gpus:
        requests[GPU_RESOURCE] = limits[GPU_RESOURCE] = str(spec.gpus)
    return {k: v for k, v in (("requests", requests), ("limits", limits)) if v}


def _container(spec: LlmServiceSpec) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "server",
        "image": spec.image,
        "args": ["--model", spec.model, "--port", str(spec.port), *spec.args],
        "ports": [{"name": "http", "containerPort": spec.port, "protocol": "TCP"}],
        "env": [{"name": "OPSPEC_MODEL", "value": spec.model}],
        "readinessProbe": {
            "httpGet": {"path": spec.readiness.path, "port": "http"},
            "initialDelaySeconds": spec.readiness.initial_delay_s,
            "periodSeconds": spec.readiness.period_s,
        },
        "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}],
    }
    resources = _resources(spec)
    if resources:
        container["resources"] = resources
    return container


def _pod_spec(spec: LlmServiceSpec) -> dict[str, Any]:
    pool = spec.pool
    pod: dict[str, Any] = {
        "containers": [_container(spec)],
        "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory"}}],
    }
    if pool.node_selector:
        pod["nodeSelector"] = dict(pool.node_selector)
    if pool.node_affinity:
        terms = [{"matchExpressions": [e.model_dump() for e in pool.node_affinity]}]
        pod["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}
            }
        }
    if pool.tolerations:
        pod["tolerations"] = [t.model_dump(exclude_none=True) for t in pool.tolerations]
    return pod


def _deployment(spec: LlmServiceSpec, name: str, labels: dict[str, str]) -> dict[str, Any]:
    selector = {"app.kubernetes.io/name": name}
    body: dict[str, Any] = {
        "selector": {"matchLabels": selector},
        "progressDeadlineSeconds": spec.readiness.timeout_s,
        "template": {"metadata": {"labels": {**labels, **selector}}, "spec": _pod_spec(spec)},
    }
    if spec.autoscaling is None:
        # With an autoscaler the replica count is its to set; a fixed one would fight it.
        body = {"replicas": spec.replicas, **body}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(spec, name, labels),
        "spec": body,
    }


def _service(spec: LlmServiceSpec, name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(spec, name, labels),
        "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": spec.port, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def _autoscaler(spec: LlmServiceSpec, name: str, labels: dict[str, str]) -> dict[str, Any]:
    assert spec.autoscaling is not None
    target = {"type": "Utilization", "averageUtilization": spec.autoscaling.target_utilization}
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _metadata(spec, name, labels),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": spec.autoscaling.min_replicas,
            "maxReplicas": spec.autoscaling.max_replicas,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}],
        },
    }


def _metadata(spec: LlmServiceSpec, name: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "namespace": spec.pool.namespace, "labels": labels}


def service_manifests(spec: LlmServiceSpec, name: str) -> list[dict[str, Any]]:
    """Deployment, Service and (with autoscaling) HorizontalPodAutoscaler of a service."""
    labels = {
        **spec.pool.labels,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": "llm-service",
        "app.kubernetes.io/managed-by": "opspec",
    }
    out = [_deployment(spec, name, labels), _service(spec, name, labels)]
    if spec.autoscaling is not None:
        out.append(_autoscaler(spec, name, labels))
    return out


def _describe(manifest: dict[str, Any]) -> str:
    kind, meta, spec = manifest["kind"], manifest["metadata"], manifest.get("spec", {})
    where = f"{meta['namespace']}/{meta['name']}" if "namespace" in meta else meta["name"]
    if kind == "ResourceQuota":
        return f"{kind} {where}: at most {spec['hard'][f'requests.{GPU_RESOURCE}']} GPUs"
    if kind == "Deployment":
        container = spec["template"]["spec"]["containers"][0]
        gpus = container.get("resources", {}).get("limits", {}).get(GPU_RESOURCE, "0")
        pods = f"{spec['replicas']} pod(s)" if "replicas" in spec else "pods set by the autoscaler"
        return f"{kind} {where}: {pods}, {gpus} {GPU_RESOURCE} each, image {container['image']}"
    if kind == "Service":
        return f"{kind} {where}: port {spec['ports'][0]['port']}"
    if kind == "HorizontalPodAutoscaler":
        target = spec["metrics"][0]["resource"]["target"]["averageUtilization"]
        return (
            f"{kind} {where}: {spec['minReplicas']}-{spec['maxReplicas']} replicas at {target}% CPU"
        )
    return f"{kind} {where}"


def describe_objects(manifests: list[dict[str, Any]]) -> list[str]:
    """One line per object, with its GPU requests, for the plan's text rendering."""
    return [_describe(m) for m in manifests]
