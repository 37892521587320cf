"""Providers of the GPU infrastructure family: ``gpu_pool`` and ``llm_service``.

A pool places workloads (a Kubernetes namespace with a GPU quota, node selectors and
tolerations, or this host); a service serves a model on a pool. The Kubernetes objects of both
are rendered at plan time (so the plan shows them) and created by the ``pulumi`` executor, which
registers them with :func:`build_kubernetes_objects`::

    from providers.infra import build_kubernetes_objects

    pool = build_kubernetes_objects("gpu_pool", "gpu_pool.a100", pool_inputs)
    build_kubernetes_objects(
        "llm_service", "llm_service.chat", service_inputs, depends_on=list(pool.values())
    )

On a local pool a service is a real server process on this host (``/v1/completions``,
``/health``, ``/metrics``), started by ``create`` and stopped by ``delete``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.infra._program import build_kubernetes_objects

__all__ = ["build_kubernetes_objects"]


def __getattr__(name: str) -> Any:
    # The program imports pulumi's runtime pieces; load it only when an executor asks.
    if name == "build_kubernetes_objects":
        from providers.infra._program import build_kubernetes_objects

        return build_kubernetes_objects
    raise AttributeError(name)
