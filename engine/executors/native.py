"""The opt-in hook for providers that register real Pulumi resources under the pulumi executor.

By default the ``pulumi`` executor wraps a provider in a ``pulumi.dynamic.Resource``, so Pulumi
calls the provider's own ``check``/``diff``/``create``. A provider that can describe its object
with a real Pulumi package (``pulumi_kubernetes`` objects, a cloud bucket) mixes in
:class:`PulumiNative` instead::

    class BucketProvider(Provider, PulumiNative):
        def pulumi_native(self, inputs):
            return inputs.get("cloud") == "aws"

        def pulumi_resources(self, name, inputs, opts):
            bucket = aws.s3.Bucket(name + "/Bucket", bucket=inputs["name"], opts=opts)
            return {"id": bucket.id, "arn": bucket.arn}

``inputs`` are the instance's checked inputs; a value known only after apply is a
``pulumi.Output``. ``opts`` parents the objects under a component named by the address (so the
executor can find them again) and carries the dependencies; pass it to every object created.
The returned attributes (values or Outputs) are recorded over the inputs in opspec state, and
``id``, when given, becomes the resource's id.

The GPU infrastructure family predates this mixin: :func:`native_hook` adapts its
``providers.infra.build_kubernetes_objects`` for ``gpu_pool`` and ``llm_service`` on a
Kubernetes pool.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.errors import OpspecError
from engine.expr.unknown import is_unknown

if TYPE_CHECKING:
    import pulumi

__all__ = ["PulumiNative", "native_hook"]


class PulumiNative(abc.ABC):
    """Mixin: the provider registers Pulumi resources itself under the pulumi executor."""

    def pulumi_native(self, inputs: Mapping[str, Any]) -> bool:
        """Whether these (planned) inputs are built natively; false: a dynamic resource."""
        return True

    @abc.abstractmethod
    def pulumi_resources(
        self, name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions
    ) -> Mapping[str, Any]:
        """Register the objects of one instance; return attributes to record (and ``id``)."""


# Types whose providers do not mix in PulumiNative but publish a builder of their objects.
_KUBERNETES_BUILDERS = {
    "gpu_pool": "providers.infra:build_kubernetes_objects",
    "llm_service": "providers.infra:build_kubernetes_objects",
}


def _pool_kind(type_name: str, inputs: Mapping[str, Any]) -> Any:
    if type_name == "gpu_pool":
        return inputs.get("kind")
    pool = inputs.get("pool")
    if isinstance(pool, Mapping) and isinstance(pool.get("placement"), Mapping):
        pool = pool["placement"]  # `pool: ${gpu_pool.x}` carries the placement inside
    return pool.get("kind") if isinstance(pool, Mapping) else pool


class KubernetesObjects(PulumiNative):
    """Adapter: ``build_kubernetes_objects(type, address, inputs, opts=...)`` as a hook."""

    def __init__(self, type_name: str, address: str, target: str) -> None:
        self.type_name = type_name
        self.address = address
        self.target = target

    def pulumi_native(self, inputs: Mapping[str, Any]) -> bool:
        kind = _pool_kind(self.type_name, inputs)
        if is_unknown(kind) or not isinstance(kind, str):
            raise OpspecError(
                f"{self.address}: the pulumi executor must know at plan time whether the pool is "
                "`kubernetes` or `local`, but it depends on values known only after apply"
            )
        return kind == "kubernetes"

    def pulumi_resources(
        self, name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions
    ) -> Mapping[str, Any]:
        module, _, function = self.target.partition(":")
        build = getattr(importlib.import_module(module), function)
        objects: Mapping[str, pulumi.CustomResource] = build(
            self.type_name, self.address, inputs, opts=opts
        )
        if not objects:
            raise OpspecError(f"{self.address}: no Kubernetes objects were built")
        first = next(iter(objects.values()))
        return {"id": first.id}


def native_hook(type_name: str, address: str, provider: object) -> PulumiNative | None:
    """The hook that builds this provider's objects natively, if it has one."""
    if isinstance(provider, PulumiNative):
        return provider
    target = _KUBERNETES_BUILDERS.get(type_name)
    if target is not None and type(provider).__module__.startswith("providers.infra"):
        return KubernetesObjects(type_name, address, target)
    return None
