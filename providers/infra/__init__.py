"""The GPU infrastructure family: ``gpu_pool`` places workloads, ``llm_service`` serves a model.

It exists so that where a model runs is declared like everything else: a pool is a Kubernetes
namespace with a GPU quota, node selectors and tolerations (or this host and its devices), and a
service serves a model on a pool. The Kubernetes objects of both are rendered at plan time (so
the plan shows them) and created by the ``pulumi`` executor, which registers them with
:func:`build_kubernetes_objects`::

    from providers.infra import build_kubernetes_objects

    pool = build_kubernetes_objects("gpu_pool", "gpu_pool.a100", pool_inputs)
    build_kubernetes_objects(
        "llm_service", "llm_service.chat", service_inputs, depends_on=list(pool.values())
    )

On a local pool a service is a real server process on this host (``/v1/completions``,
``/health``, ``/metrics``), started by ``create`` and stopped by ``delete``. The file set::

    gpu_pool.py        the ``gpu_pool`` provider
    llm_service.py     the ``llm_service`` provider
    placement.py       a pool's namespace, selectors, tolerations and GPUs per node
    gpu_products.py    the GPU products an accelerator names (node labels of NVIDIA's GFD)
    devices.py         this host's CPU and CUDA devices (nvidia-smi, no torch)
    manifests.py       the Kubernetes manifests of pools and services (what the plan shows)
    program.py         those manifests as pulumi_kubernetes resources (the pulumi executor)
    native.py          the mixin that hands Kubernetes pools and services to that program
    placeholders.py    typed stand-ins for unknown values, so manifests render at plan time
    service_checks.py  plan-time checks of a service against its pool, model and host
    model_files.py     where a served model lives and whether it looks loadable
    server_process.py  starting, recognising and stopping detached local servers
    jobs/server.py     the local model server itself (the child process; imports torch)
    errors.py          the family's exceptions
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.infra.program import build_kubernetes_objects

__all__ = ["build_kubernetes_objects"]


def __getattr__(name: str) -> Any:
    # The program imports pulumi's runtime pieces; load it only when an executor asks.
    if name == "build_kubernetes_objects":
        from providers.infra.program import build_kubernetes_objects

        return build_kubernetes_objects
    raise AttributeError(name)
