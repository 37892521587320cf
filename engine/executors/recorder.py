"""Writing what Pulumi did into opspec state, one resource at a time, as it happens.

The program calls :meth:`StateRecorder.record` as soon as a resource's outputs resolve, which is
when Pulumi has finished creating or updating it; each call commits one state write, like the
local executor does after each provider call, so a failure later in the run loses no finished
work. Pulumi's engine events tell which resources failed (their error diagnostics) and which it
deleted. Callbacks arrive on Pulumi's threads, hence the lock.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from engine.executors.direct import now
from engine.executors.program import ResultSink
from engine.executors.stack import Managed, urn_name
from engine.plans.action import Action
from engine.plans.change import ResourceChange
from engine.plans.values import PathT
from engine.registry import Registry
from engine.states.store import ResourceState, ResourceStatus, StateSnapshot, StateStore

if TYPE_CHECKING:
    from pulumi.automation import EngineEvent


class StateRecorder(ResultSink):
    """Commits each finished resource to the store and collects Pulumi's failures."""

    def __init__(
        self,
        store: StateStore,
        workspace: str,
        registry: Registry,
        prior: StateSnapshot,
        managed: Managed,
    ) -> None:
        self.store = store
        self.workspace = workspace
        self.registry = registry
        self.prior = prior
        self.recorded: set[str] = set()
        self.deleted: set[str] = set()
        self.failed: dict[str, str] = {}
        self.unplaced_errors: list[str] = []  # error diagnostics no address could be found for
        self._urns: dict[str, str] = {u: a for a, urns in managed.urns.items() for u in urns}
        self._tops = {urn: a for urn, a in self._urns.items() if urn_name(urn) == a}
        self._lock = threading.Lock()

    # -- from the program --------------------------------------------------------------------

    def register_urn(self, urn: str, address: str) -> None:
        with self._lock:
            self._urns[urn] = address
            self._tops[urn] = address

    def record(
        self,
        change: ResourceChange,
        inputs: dict[str, Any],
        attrs: dict[str, Any],
        sensitive: list[PathT],
    ) -> None:
        prior = self.prior.resources.get(change.address)
        rid = str(attrs.get("id") or (prior.id if prior else "") or f"pulumi:{change.address}")
        returned = {k: v for k, v in attrs.items() if v is not None}
        outputs = {**inputs, **returned, "id": rid}
        if change.action is Action.NOOP and prior is not None and prior.outputs == outputs:
            with self._lock:
                self.recorded.add(change.address)
            return
        rtype = self.registry.get(change.type)
        self.store.write_resource(
            self.workspace,
            ResourceState(
                address=change.address,
                type=change.type,
                id=rid,
                inputs=inputs,
                outputs=outputs,
                dependencies=list(change.dependencies),
                provider_version=rtype.version if rtype else "",
                created_at=prior.created_at if prior and prior.id == rid else now(),
                updated_at=now(),
                status=ResourceStatus.CREATED,
                sensitive_paths=sensitive,
            ),
        )
        with self._lock:
            self.recorded.add(change.address)

    # -- from Pulumi's engine events ---------------------------------------------------------

    def address_of(self, urn: str) -> str | None:
        with self._lock:
            address = self._urns.get(urn)
        if address is None and urn_name(urn) in self.prior.resources:
            return urn_name(urn)
        return address

    def on_event(self, event: EngineEvent) -> None:
        from pulumi.automation import OpType

        diagnostic = event.diagnostic_event
        if diagnostic is not None and diagnostic.severity == "error":
            message = diagnostic.message.strip()
            address = self.address_of(diagnostic.urn) if diagnostic.urn else None
            with self._lock:
                if address is None:
                    self.unplaced_errors.append(message)
                else:
                    self.failed.setdefault(address, message)
        outputs = event.res_outputs_event
        if outputs is not None and outputs.metadata.op == OpType.DELETE:
            urn = outputs.metadata.urn
            with self._lock:
                address = self._tops.get(urn)
            if address is not None:
                self.remove(address)

    def remove(self, address: str) -> None:
        """The resource is gone: take it out of state (once)."""
        with self._lock:
            if address in self.deleted:
                return
            self.deleted.add(address)
        self.store.remove_resource(self.workspace, address)
