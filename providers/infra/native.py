"""How ``gpu_pool`` and ``llm_service`` build their Kubernetes objects under the pulumi executor.

Both providers mix in :class:`KubernetesNative`: an instance on a Kubernetes pool registers real
``pulumi_kubernetes`` objects (through :func:`providers.infra.build_kubernetes_objects`), one on a
local pool stays a dynamic resource that the provider itself creates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from engine.expr.unknown import is_unknown
from engine.providers import ProviderContext, PulumiNative
from providers.infra.errors import PulumiProgramError

if TYPE_CHECKING:
    import pulumi

__all__ = ["KubernetesNative"]


def _pool_kind(type_name: str, inputs: Mapping[str, Any]) -> Any:
    if type_name == "gpu_pool":
        return inputs.get("kind")
    pool = inputs.get("pool")
    if isinstance(pool, Mapping) and isinstance(pool.get("placement"), Mapping):
        pool = pool["placement"]  # `pool: ${gpu_pool.x}` carries the placement inside
    return pool.get("kind") if isinstance(pool, Mapping) else pool


class KubernetesNative(PulumiNative):
    """Mixin: native Kubernetes objects for instances whose pool is ``kubernetes``."""

    ctx: ProviderContext
    type_name: ClassVar[str]

    def pulumi_native(self, inputs: Mapping[str, Any]) -> bool:
        kind = _pool_kind(self.type_name, inputs)
        if is_unknown(kind) or not isinstance(kind, str):
            raise PulumiProgramError(
                f"{self.ctx.address}: the pulumi executor must know at plan time whether the pool "
                "is `kubernetes` or `local`, but it depends on values known only after apply"
            )
        return kind == "kubernetes"

    def pulumi_resources(
        self, name: str, inputs: Mapping[str, Any], opts: pulumi.ResourceOptions
    ) -> Mapping[str, Any]:
        # The program imports pulumi_kubernetes: only the pulumi executor gets here.
        from providers.infra.program import build_kubernetes_objects

        objects = build_kubernetes_objects(self.type_name, self.ctx.address, inputs, opts=opts)
        if not objects:
            raise PulumiProgramError(f"{self.ctx.address}: no Kubernetes objects were built")
        first = next(iter(objects.values()))
        return {"id": first.id}
