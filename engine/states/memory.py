"""An in-memory :class:`StateStore`, the fake for hermetic unit tests.

It keeps the SQLite store's semantics: records are stored as JSON text (so callers never share
objects with the store and unserializable values fail the same way), every write bumps the
serial and creates the lineage, a failed write changes nothing, push and move follow
:mod:`engine.states.rules`, and the lock behaves as it would between processes (a second
``lock`` waits or fails while the first is held, a dead holder on this host is released).
It does not encrypt: nothing leaves the process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.states import locking, records, rules
from engine.states.store import LockInfo, OutputState, ResourceState, StateSnapshot, StateStore


@dataclass
class _State:
    lineage: str
    serial: int = 0
    resources: dict[str, str] = field(default_factory=dict)  # address -> JSON text
    outputs: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)


class MemoryStateStore(StateStore):
    """States of all workspaces, kept in this process."""

    def __init__(self) -> None:
        self._mutex = threading.RLock()
        self._states: dict[str, _State] = {}
        self._locks: dict[str, LockInfo] = {}

    def read(self, workspace: str) -> StateSnapshot:
        with self._mutex:
            state = self._states.get(workspace)
            if state is None:
                return StateSnapshot()
            texts = [state.resources[a] for a in sorted(state.resources)]
            outputs = dict(sorted(state.outputs.items()))
            events = list(state.events)
            lineage, serial = state.lineage, state.serial
        return StateSnapshot(
            lineage=lineage,
            serial=serial,
            resources=records.decode_resources(texts, None),
            outputs={name: records.decode_output(text, None) for name, text in outputs.items()},
            events=records.decode_events(events),
        )

    def workspaces(self) -> list[str]:
        with self._mutex:
            return sorted({rules.DEFAULT_WORKSPACE, *self._states})

    def current_lock(self, workspace: str) -> LockInfo | None:
        with self._mutex:
            return self._locks.get(workspace)

    def write_resource(self, workspace: str, resource: ResourceState) -> int:
        text = records.encode_resource(resource, None)
        return self._write(workspace, lambda s: s.resources.__setitem__(resource.address, text))

    def remove_resource(self, workspace: str, address: str) -> int:
        return self._write(workspace, lambda s: s.resources.pop(address, None))

    def move_resource(self, workspace: str, source: str, destination: str) -> int:
        def move(state: _State) -> None:
            if source not in state.resources:
                raise rules.missing_source(workspace, source)
            if destination in state.resources:
                raise rules.taken_destination(workspace, destination)
            resource = records.decode_resources([state.resources.pop(source)], None)[source]
            resource.address = destination
            state.resources[destination] = records.encode_resource(resource, None)

        return self._write(workspace, move)

    def write_outputs(self, workspace: str, outputs: dict[str, OutputState]) -> int:
        texts = {name: records.encode_output(o, None) for name, o in outputs.items()}
        return self._write(workspace, lambda s: setattr(s, "outputs", texts))

    def append_event(self, workspace: str, event: dict[str, Any]) -> int:
        text = records.encode_event(event)
        return self._write(workspace, lambda s: s.events.append(text))

    def push(self, workspace: str, snapshot: StateSnapshot, *, force: bool = False) -> int:
        pushed = _State(
            lineage="",
            resources={
                r.address: records.encode_resource(r, None) for r in snapshot.resources.values()
            },
            outputs={n: records.encode_output(o, None) for n, o in snapshot.outputs.items()},
            events=[records.encode_event(e) for e in snapshot.events],
        )
        with self._mutex:
            stored = self._states.get(workspace)
            lineage, serial = (stored.lineage, stored.serial) if stored else ("", 0)
            rules.check_push(workspace, lineage, serial, snapshot, force)
            pushed.lineage = rules.pushed_lineage(lineage, snapshot)
            pushed.serial = rules.pushed_serial(serial, snapshot)
            self._states[workspace] = pushed
            return pushed.serial

    def delete_workspace(self, workspace: str) -> None:
        rules.check_deletable(workspace)
        with self._mutex:
            if workspace not in self._states:
                raise rules.missing_workspace(workspace)
            held = self._locks.get(workspace)
            if held is not None and not (
                locking.holder_is_dead(held) or locking.held_by_this_process(held)
            ):
                raise locking.locked_error(workspace, held, 0.0)
            del self._states[workspace]
            self._locks.pop(workspace, None)

    def lock(self, workspace: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        def try_once() -> tuple[LockInfo | None, LockInfo | None]:
            wanted = locking.new_lock(workspace, operation)
            with self._mutex:
                held = self._locks.get(workspace)
                if held is not None and not locking.holder_is_dead(held):
                    return None, held
                self._locks[workspace] = wanted
                return wanted, None

        return locking.acquire(workspace, timeout_s, try_once)

    def unlock(self, workspace: str, lock_id: str) -> None:
        with self._mutex:
            held = self._locks.get(workspace)
            if held is None:
                return
            if held.id != lock_id:
                raise locking.not_this_lock(workspace, lock_id, held)
            del self._locks[workspace]

    def force_unlock(self, workspace: str, lock_id: str | None = None) -> LockInfo | None:
        with self._mutex:
            held = self._locks.get(workspace)
            if held is None:
                return None
            if lock_id is not None and held.id != lock_id:
                raise locking.not_this_lock(workspace, lock_id, held)
            return self._locks.pop(workspace)

    def _write(self, workspace: str, change: Callable[[_State], object]) -> int:
        """Apply ``change`` and bump the serial; ``change`` checks before it mutates, so an
        exception leaves the state (or its absence) as it was."""
        with self._mutex:
            state = self._states.get(workspace) or _State(lineage=rules.new_lineage())
            change(state)
            state.serial += 1
            self._states[workspace] = state
            return state.serial
