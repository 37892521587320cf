"""The job cache as providers see it: a key per job, and outputs recorded under it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from engine.providers.context import ProviderContext

__all__ = ["CacheInfo", "CachedJob"]


@dataclass(frozen=True)
class CacheInfo:
    """What the plan shows of a job's cache: its key, whether it hits, and what changed."""

    key: str
    hit: bool
    changed_inputs: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "hit": self.hit, "changed_inputs": self.changed_inputs}


class CachedJob:
    """Opt-in mixin for providers whose output is a pure function of their inputs.

    ``cache_parts`` names each input of the cache key with a hash of its content (dataset
    sha256, params, estimator or code hash, seed, library versions). The planner shows which
    parts changed since the stored resource (its outputs keep ``cache_parts``), and whether the
    key hits the artifact cache. On a hit, ``create`` reuses the cached record instead of
    running, and the planner already knows the outputs (:meth:`cached_outputs`).
    It never imports user code or heavy libraries: it runs at plan time.
    """

    ctx: ProviderContext
    type_name: ClassVar[str]

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        raise NotImplementedError

    def cache_key(self, inputs: dict[str, Any]) -> str:
        from engine.hashing import sha256_json

        return sha256_json({"type": self.type_name, "parts": self.cache_parts(inputs)})

    def cached_outputs(self, key: str) -> dict[str, Any] | None:
        """The outputs recorded for ``key`` if every artifact they name still exists."""
        from engine.artifacts import ArtifactStore

        record = ArtifactStore(self.ctx.artifacts_dir).cache_get(key)
        return None if record is None else dict(record.get("outputs", {}))

    def store_outputs(self, key: str, outputs: dict[str, Any]) -> None:
        from engine.artifacts import ArtifactStore

        ArtifactStore(self.ctx.artifacts_dir).cache_put(key, {"outputs": outputs})
