"""The provider SDK: the contract every provider implements, and the helpers it may use.

It lives in the engine so that dependencies point one way: the engine finds provider classes
only through the ``opspec.providers`` entry points and talks to them through this contract,
while every provider package (``providers/`` here, or a third party's) imports from this one
place::

    from engine.providers import CheckResult, CreateResult, Provider, ProviderContext

    class NullProvider(Provider):
        type_name = "null"
        spec = NullSpec

        def create(self, props):
            return CreateResult(id_=uuid4().hex, outs=props)

The pieces, one module each: :mod:`.contract` (:class:`Provider` and Pulumi's result types,
with the promises every provider keeps), :mod:`.context` (what a provider knows of the run),
:mod:`.cache` (the job cache), :mod:`.native` (the opt-in hook for real Pulumi resources),
:mod:`.paths` (the one rule for every path a spec names) and :mod:`.wire` (Pulumi's wire
format). Names are loaded on first use, so importing the SDK for its context alone does not
import Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.providers.cache import CachedJob, CacheInfo
    from engine.providers.context import ProviderContext
    from engine.providers.contract import (
        CheckFailure,
        CheckResult,
        CreateResult,
        DiffResult,
        PlanAttributeError,
        Provider,
        ReadResult,
        SchemaFailure,
        UpdateResult,
    )
    from engine.providers.native import PulumiNative
    from engine.providers.wire import denormalize_floats

_MODULE_OF = {
    "CacheInfo": "cache",
    "CachedJob": "cache",
    "CheckFailure": "contract",
    "CheckResult": "contract",
    "CreateResult": "contract",
    "DiffResult": "contract",
    "PlanAttributeError": "contract",
    "Provider": "contract",
    "ProviderContext": "context",
    "PulumiNative": "native",
    "ReadResult": "contract",
    "SchemaFailure": "contract",
    "UpdateResult": "contract",
    "denormalize_floats": "wire",
}

__all__ = [
    "CacheInfo",
    "CachedJob",
    "CheckFailure",
    "CheckResult",
    "CreateResult",
    "DiffResult",
    "PlanAttributeError",
    "Provider",
    "ProviderContext",
    "PulumiNative",
    "ReadResult",
    "SchemaFailure",
    "UpdateResult",
    "denormalize_floats",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
