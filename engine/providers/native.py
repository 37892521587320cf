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
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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


def native_hook(provider: object, inputs: Mapping[str, Any]) -> PulumiNative | None:
    """``provider`` itself when it builds these planned inputs natively, else None."""
    if isinstance(provider, PulumiNative) and provider.pulumi_native(inputs):
        return provider
    return None
