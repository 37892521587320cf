"""The state store interface and the records it keeps."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# A path into a resource's inputs/outputs: keys and list indexes, e.g. ("environment", "TOKEN").
Path = tuple[str | int, ...]


class ResourceStatus(StrEnum):
    CREATED = "created"
    TAINTED = "tainted"  # a create failed part-way, or the resource was marked for replacement


@dataclass
class ResourceState:
    """One resource instance as state keeps it."""

    address: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str] = field(default_factory=list)
    provider_version: str = ""
    created_at: str = ""
    updated_at: str = ""
    status: ResourceStatus = ResourceStatus.CREATED
    # Paths (into both inputs and outputs) whose values are secrets.
    sensitive_paths: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "type": self.type,
            "id": self.id,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "dependencies": self.dependencies,
            "provider_version": self.provider_version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "status": self.status.value,
            "sensitive_paths": [list(p) for p in self.sensitive_paths],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ResourceState:
        """Lenient read path: unknown keys written by newer versions are ignored."""
        return cls(
            address=data["address"],
            type=data["type"],
            id=str(data.get("id", "")),
            inputs=dict(data.get("inputs") or {}),
            outputs=dict(data.get("outputs") or {}),
            dependencies=list(data.get("dependencies") or []),
            provider_version=str(data.get("provider_version", "")),
            created_at=str(data.get("created_at", "")),
            updated_at=str(data.get("updated_at", "")),
            status=ResourceStatus(data.get("status", "created")),
            sensitive_paths=[tuple(p) for p in data.get("sensitive_paths") or []],
        )


@dataclass
class OutputState:
    value: Any
    sensitive: bool = False


@dataclass
class StateSnapshot:
    """A whole state at one serial. ``lineage == ""`` means no state exists yet."""

    lineage: str = ""
    serial: int = 0
    resources: dict[str, ResourceState] = field(default_factory=dict)
    outputs: dict[str, OutputState] = field(default_factory=dict)
    # Records kept beside resources, e.g. policy overrides: {"kind": ..., ...}.
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exists(self) -> bool:
        return bool(self.lineage)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "lineage": self.lineage,
            "serial": self.serial,
            "resources": [self.resources[a].to_json() for a in sorted(self.resources)],
            "outputs": {
                k: {"value": v.value, "sensitive": v.sensitive}
                for k, v in sorted(self.outputs.items())
            },
            "events": self.events,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateSnapshot:
        resources = [ResourceState.from_json(r) for r in data.get("resources") or []]
        return cls(
            lineage=str(data.get("lineage", "")),
            serial=int(data.get("serial", 0)),
            resources={r.address: r for r in resources},
            outputs={
                k: OutputState(v.get("value"), bool(v.get("sensitive", False)))
                for k, v in (data.get("outputs") or {}).items()
            },
            events=list(data.get("events") or []),
        )


@dataclass(frozen=True)
class LockInfo:
    """Who holds a workspace's write lock."""

    id: str
    workspace: str
    holder: str  # user@host
    pid: int
    host: str
    operation: str
    created: str  # ISO 8601, UTC

    def describe(self) -> str:
        return (
            f"lock {self.id} held by {self.holder} (pid {self.pid} on {self.host}) "
            f"for `{self.operation}` since {self.created}"
        )


class StateStore(abc.ABC):
    """Where states live. Implementations: SQLite (embedded default), memory (tests).

    Every write method commits one transaction, creates the state (a new lineage) when the
    workspace has none yet, increments the serial, and returns the new serial.
    Writers must hold the workspace's lock; readers never need it.
    """

    @abc.abstractmethod
    def read(self, workspace: str) -> StateSnapshot:
        """The current snapshot; an empty one (lineage "") when the workspace has no state."""

    @abc.abstractmethod
    def write_resource(self, workspace: str, resource: ResourceState) -> int:
        """Insert or replace one resource instance."""

    @abc.abstractmethod
    def remove_resource(self, workspace: str, address: str) -> int:
        """Remove one resource instance (no-op but still a write if absent)."""

    @abc.abstractmethod
    def move_resource(self, workspace: str, source: str, destination: str) -> int:
        """Rename an address; raises StateError when source is absent or destination taken."""

    @abc.abstractmethod
    def write_outputs(self, workspace: str, outputs: dict[str, OutputState]) -> int:
        """Replace the root outputs."""

    @abc.abstractmethod
    def append_event(self, workspace: str, event: dict[str, Any]) -> int:
        """Record an event (e.g. a policy override with who/when/why)."""

    @abc.abstractmethod
    def push(self, workspace: str, snapshot: StateSnapshot, *, force: bool = False) -> int:
        """Replace the whole state. Refuses (StaleStateError) another lineage or an older
        serial than the stored one unless ``force``."""

    @abc.abstractmethod
    def lock(self, workspace: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        """Take the write lock, waiting up to ``timeout_s``; a lock whose holder process is dead
        on this host is released first. Raises StateLockedError naming the holder."""

    @abc.abstractmethod
    def unlock(self, workspace: str, lock_id: str) -> None:
        """Release a lock this process took."""

    @abc.abstractmethod
    def current_lock(self, workspace: str) -> LockInfo | None: ...

    @abc.abstractmethod
    def force_unlock(self, workspace: str, lock_id: str | None = None) -> LockInfo | None:
        """Clear the lock (only if its id matches, when given); return what was cleared."""

    @abc.abstractmethod
    def workspaces(self) -> list[str]:
        """Names of workspaces that have a state, sorted; "default" is always listed."""

    @abc.abstractmethod
    def delete_workspace(self, workspace: str) -> None: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
