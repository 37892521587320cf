"""Fakes of Pulumi for the executor's tests: a recording mock monitor and an in-memory stack.

:class:`RecordingMonitor` is Pulumi's own mock monitor, keeping each registration's type,
name, URN, inputs and dependencies (as the program sent them over the wire). Its engine part
stands in for Pulumi's dynamic-provider host: for ``pulumi-python:dynamic:Resource`` it
unpickles the provider from ``__provider`` exactly as the host does and calls ``check``, then
``create``, or ``diff`` and ``update`` against what :class:`FakeStack` has deployed; other
types are echoed back with an id.

:class:`FakeStack` has the two methods the executor uses, ``export_stack`` and ``up``. ``up``
runs the inline program under the mocks, deletes (through the provider) whatever it deployed
before and the program no longer declares, dependents first, and reports deletions and
failures as engine events, like the Automation API does.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import dill  # type: ignore[import-untyped]
import pulumi
from pulumi import automation as auto
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from engine.executors.stack import DYNAMIC_TYPE
from engine.providers import denormalize_floats

STACK_TYPE = "pulumi:pulumi:Stack"
_SECRET = rpc._special_secret_sig
_SIG = rpc._special_sig_key


def plain(value: Any) -> Any:
    """A deserialized property with Pulumi's secret wrappers removed, at any depth."""
    if isinstance(value, dict):
        if value.get(_SIG) == _SECRET:
            return plain(value["value"])
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def reset_pulumi_settings() -> None:
    """Leave Pulumi's process-wide settings as a fresh process has them."""
    pulumi.runtime.settings.reset_options(
        project="project", stack="stack", root_directory="root_directory", organization="org"
    )


class NoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        raise AssertionError("RecordingMonitor registers resources itself")

    def call(self, args: Any) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    def __init__(
        self,
        deployed: dict[str, dict[str, Any]] | None = None,
        replace: set[str] | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(NoMocks())
        self.deployed = deployed if deployed is not None else {}
        self.replace = replace or set()
        self.on_event = on_event
        self.registered: dict[str, dict[str, Any]] = {}  # by name
        self.failures: list[str] = []
        self._stack_urn = ""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the real engine: a child of the root stack has no parent type in its URN.
        if parent == self._stack_urn:
            parent = ""
        return str(super().make_urn(parent, type_, name))

    def RegisterResource(self, request: Any) -> Any:
        if request.type == STACK_TYPE:
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            self._stack_urn = response.urn
            return response
        _ensure_event_loop()  # type: ignore[no-untyped-call]
        urn = self.make_urn(request.parent, request.type, request.name)
        wire = rpc.deserialize_properties(request.object)
        inputs = plain(wire)
        self.registered[request.name] = {
            "secret_keys": {k for k, v in wire.items() if plain(v) != v and k != "__provider"},
            "type": request.type,
            "urn": urn,
            "parent": request.parent,
            "inputs": denormalize_floats({k: v for k, v in inputs.items() if k != "__provider"}),
            "dependencies": set(request.dependencies),
        }
        old = self.deployed.get(urn)
        try:
            if request.type == DYNAMIC_TYPE:
                rid, outs = self._dynamic(urn, old, inputs)
            else:
                rid, outs = (old["id"] if old else f"{request.name}-id"), inputs
        except Exception as exc:
            self.failures.append(f"{urn}: {exc}")
            self._emit(diagnostic_event=auto.DiagnosticEvent(str(exc), "never", "error", urn=urn))
            raise
        self.deployed[urn] = {
            "urn": urn,
            "type": request.type,
            "parent": request.parent if request.parent != self._stack_urn else "",
            "custom": request.custom,
            "id": rid,
            "inputs": inputs,
            "outputs": outs,
        }
        state = _sync_await(rpc.serialize_properties(outs, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=state)

    def _dynamic(
        self, urn: str, old: dict[str, Any] | None, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """What Pulumi's dynamic-provider host and engine do for one registration."""
        provider = dill.loads(base64.b64decode(inputs["__provider"]))
        checked = provider.check(old["inputs"] if old else {}, inputs)
        if checked.failures:
            raise ValueError("; ".join(f"{f.property}: {f.reason}" for f in checked.failures))
        news = {**checked.inputs, "__provider": inputs["__provider"]}
        if old is not None and urn not in self.replace:
            diff = provider.diff(old["id"], old["outputs"], news)
            if not diff.changes:
                return old["id"], old["outputs"]
            if not diff.replaces:
                return old["id"], dict(provider.update(old["id"], old["outputs"], news).outs)
        if old is not None:
            provider.delete(old["id"], old["outputs"])
        created = provider.create(news)
        return str(created.id), dict(created.outs or {})

    def _emit(self, **event: Any) -> None:
        if self.on_event is not None:
            self.on_event(auto.EngineEvent(0, 0, **event))


class FakeStack:
    """An in-memory Pulumi stack with the executor's two methods (see the module docstring)."""

    def __init__(self) -> None:
        self.deployed: dict[str, dict[str, Any]] = {}
        self.monitors: list[RecordingMonitor] = []
        self.up_kwargs: list[dict[str, Any]] = []

    def export_stack(self) -> Any:
        resources = [
            {
                "urn": "urn:pulumi:stack::project::pulumi:pulumi:Stack::project-stack",
                "type": STACK_TYPE,
                "custom": False,
            }
        ]
        return auto.Deployment(3, {"resources": resources + list(self.deployed.values())})

    def import_stack(self, state: Any) -> None:
        resources = state.deployment["resources"]
        self.deployed = {r["urn"]: r for r in resources if r["type"] != STACK_TYPE}
        self.imports = getattr(self, "imports", 0) + 1

    def up(self, *, program: Callable[[], None], on_event: Any = None, **kwargs: Any) -> None:
        self.up_kwargs.append(kwargs)
        before = dict(self.deployed)
        monitor = RecordingMonitor(self.deployed, set(kwargs.get("replace") or []), on_event)
        self.monitors.append(monitor)
        pulumi.runtime.set_mocks(NoMocks(), preview=False, monitor=monitor)
        error: Exception | None = None
        try:
            pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
        except Exception as exc:  # the program failed: Pulumi ends the update with an error
            error = exc
        finally:
            reset_pulumi_settings()
        declared = {r["urn"] for r in monitor.registered.values()}
        if error is None:
            self._delete(reversed([u for u in before if u not in declared]), monitor)
        if error is not None or monitor.failures:
            result = auto.CommandResult("", "; ".join(monitor.failures) or str(error), 255)
            raise auto.CommandError(result)

    def _delete(self, urns: Any, monitor: RecordingMonitor) -> None:
        for urn in urns:
            res = self.deployed.pop(urn)
            if res["type"] == DYNAMIC_TYPE:
                provider = dill.loads(base64.b64decode(res["inputs"]["__provider"]))
                provider.delete(res["id"], res["outputs"])
            metadata = auto.StepEventMetadata(auto.OpType.DELETE, urn, res["type"], "")
            monitor._emit(res_outputs_event=auto.ResOutputsEvent(metadata))
