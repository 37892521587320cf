"""State: what opspec has created, per workspace, behind the :class:`StateStore` interface.

The embedded default is :class:`~engine.states.sqlite.SqliteStateStore` (``.opspec/state.db``,
WAL), where every resource's change is committed in its own transaction as soon as its provider
call returns. :class:`~engine.states.memory.MemoryStateStore` is the fake for tests. A state has
a ``lineage`` (fixed at creation) and a ``serial`` (incremented by every committed write). One
writer at a time holds the lock; readers never need it. Values at a resource's sensitive paths
are sealed (encrypted) before they reach storage, see :mod:`engine.states.secrets`. What every
store enforces the same way (workspace names, lineage and serial on push, the words of each
refusal) is written once, in :mod:`engine.states.rules`; the lock's shared parts in
:mod:`engine.states.locking`.
"""

from engine.states.store import (
    LockInfo,
    OutputState,
    ResourceState,
    ResourceStatus,
    StateSnapshot,
    StateStore,
)

__all__ = [
    "LockInfo",
    "OutputState",
    "ResourceState",
    "ResourceStatus",
    "StateSnapshot",
    "StateStore",
]
