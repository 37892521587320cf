"""The registry of resource types: type name -> (spec model, outputs model, provider class).

Types come from the ``opspec.providers`` entry-point group, so the engine imports no provider by
name and third-party packages can add types. A provider module is imported only when a project
uses its type, so planning a project without LLMs never imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from engine.errors import OpspecError

if TYPE_CHECKING:
    from engine.providers import Provider
    from specs.base import Outputs, SpecType

ENTRY_POINT_GROUP = "opspec.providers"


@dataclass(frozen=True)
class ResourceType:
    name: str
    provider: type[Provider]

    @property
    def spec(self) -> SpecType:
        return self.provider.spec

    @property
    def outputs(self) -> type[Outputs]:
        return self.provider.outputs

    @property
    def version(self) -> str:
        return self.provider.version


class Registry:
    """Resource types by name, loaded lazily from entry points (or given, for tests)."""

    def __init__(self, types: dict[str, type[Provider]] | None = None) -> None:
        self._given = types
        self._loaded: dict[str, ResourceType] = {}

    @cached_property
    def _entry_points(self) -> dict[str, EntryPoint]:
        if self._given is not None:
            return {}
        return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}

    def names(self) -> list[str]:
        if self._given is not None:
            return sorted(self._given)
        return sorted(self._entry_points)

    def get(self, name: str) -> ResourceType | None:
        if name in self._loaded:
            return self._loaded[name]
        if self._given is not None:
            cls = self._given.get(name)
        else:
            ep = self._entry_points.get(name)
            if ep is None:
                return None
            try:
                cls = ep.load()
            except ImportError as exc:
                raise OpspecError(
                    f"provider for resource type `{name}` cannot be imported ({exc}); "
                    "is the extra that provides it installed?"
                ) from exc
        if cls is None:
            return None
        rtype = ResourceType(name, cls)
        self._loaded[name] = rtype
        return rtype
