"""The apply walk: one provider call per changed instance, state committed after each."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any, assert_never

from engine.addrs import parse_address
from engine.apply.graph import ApplyNode, NodeKind, apply_graph
from engine.config.model import Config
from engine.dag import NodeStatus, walk
from engine.diagnostics import Diagnostics, error
from engine.errors import OpspecError
from engine.evaluation.instances import evaluate_inputs, instance_for
from engine.evaluation.scope import Values
from engine.expr.evaluate import evaluate_value
from engine.expr.template import ExprError
from engine.expr.unknown import contains_unknown
from engine.plans.action import Action
from engine.plans.change import Plan, ResourceChange
from engine.plans.check import check_inputs
from engine.plans.instance import InstanceRequest
from engine.providers import ProviderContext
from engine.registry import Registry
from engine.states.store import (
    OutputState,
    ResourceState,
    ResourceStatus,
    StateSnapshot,
    StateStore,
)
from engine.views.progress import Progress


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class ApplyResult:
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.failed or self.skipped or self.cancelled)


class Applier:
    def __init__(
        self,
        plan: Plan,
        config: Config,
        node_deps: dict[str, set[str]],
        prior: StateSnapshot,
        store: StateStore,
        registry: Registry,
        ctx: ProviderContext,
        progress: Progress,
    ) -> None:
        self.plan = plan
        self.config = config
        self.node_deps = node_deps
        self.prior = prior
        self.store = store
        self.registry = registry
        self.ctx = ctx
        self.progress = progress
        self.values = Values(dict(plan.variables), set(plan.sensitive_variables))
        self.changes = {c.address: c for c in plan.changes}
        self.stop = threading.Event()
        self.diags = Diagnostics()

    def run(self, parallelism: int) -> ApplyResult:
        self._load_unchanged()
        graph = apply_graph(self.plan, self.node_deps)
        result = walk(graph, self._visit, parallelism=parallelism, stop=self.stop)
        out = ApplyResult()
        for node, status in sorted(result.status.items()):
            address = node.name
            is_instance = node.kind in (NodeKind.CHANGE, NodeKind.DELETE)
            if not is_instance or not self._changes(address):
                if status is NodeStatus.FAILED:
                    out.failed[str(node)] = _message(result.errors[node])
                continue
            match status:
                case NodeStatus.DONE:
                    out.done.append(address)
                case NodeStatus.FAILED:
                    out.failed[address] = _message(result.errors[node])
                case NodeStatus.SKIPPED:
                    out.skipped.append(address)
                case NodeStatus.CANCELLED:
                    out.cancelled.append(address)
        if not self.plan.flags.get("targets"):
            self._write_outputs(out)
        return out

    # -- values of what does not change ------------------------------------------------------

    def _load_unchanged(self) -> None:
        for address, rs in self.prior.resources.items():
            change = self.changes.get(address)
            if change is not None and change.action.is_change:
                continue
            addr = parse_address(address)
            self.values.set_resource(
                addr.type, addr.name, addr.key, _attrs(rs.outputs), list(rs.sensitive_paths)
            )
        for block in self.config.resources.values():
            self.values.declare_block(block.addr.type, block.addr.name, block.has_for_each)

    # -- visiting one node ------------------------------------------------------------------

    def _changes(self, address: str) -> bool:
        change = self.changes.get(address)
        return change is not None and change.action.is_change

    def _visit(self, node: ApplyNode) -> None:
        match node.kind:
            case NodeKind.LOCAL:
                self._apply_local(node.name)
            case NodeKind.BLOCK | NodeKind.DELETE_BARRIER:
                pass  # barriers only order the walk
            case NodeKind.CHANGE | NodeKind.DELETE:
                self._apply_change(self.changes[node.name])
            case _:
                assert_never(node.kind)

    def _apply_change(self, change: ResourceChange) -> None:
        match change.action:
            case Action.NOOP:
                pass
            case Action.DELETE:
                self._delete(change)
            case Action.READ:
                self._refresh(change)
            case Action.CREATE:
                self._create(change, "create")
            case Action.UPDATE:
                self._update(change)
            case Action.DELETE_THEN_CREATE:
                self._replace_deleting_first(change)
            case Action.CREATE_THEN_DELETE:
                self._create(change, "replace")
                self._delete_prior(change)
            case _:
                assert_never(change.action)

    def _apply_local(self, name: str) -> None:
        local = self.config.locals[name]
        ev = evaluate_value(local.value, self.values.scope())
        self.values.set_local(name, ev.value, bool(ev.sensitive_paths))

    def _final_inputs(self, change: ResourceChange) -> tuple[Any, dict[str, Any], list[Any]]:
        block = self.config.resources[change.block]
        rtype = self.registry.get(change.type)
        if rtype is None:
            raise OpspecError(f"no provider for type {change.type}")
        inst = instance_for(block, change.index, self.values)
        inputs, sensitive = evaluate_inputs(block, inst, self.values, rtype)
        if contains_unknown(inputs):
            raise OpspecError(f"{change.address}: inputs still unknown at apply (a bug)")
        provider = rtype.provider(self.ctx.for_address(change.address))
        prior = self.prior.resources.get(change.address)
        checked, diags = check_inputs(
            InstanceRequest(
                address=change.address,
                key=change.index,
                block=block,
                rtype=rtype,
                provider=provider,
                inputs=inputs,
                sensitive=sensitive,
                prior=prior,
                refreshed=None,
                dependencies=change.dependencies,
                replace_requested=False,
                changed_dependencies=[],
                triggered_by=[],
                executor=change.executor,
            )
        )
        if checked is None:
            raise OpspecError("; ".join(f"{d.summary}: {d.detail}" for d in diags))
        return provider, checked, sensitive

    def _record(
        self,
        change: ResourceChange,
        rid: str,
        inputs: dict[str, Any],
        outs: dict[str, Any],
        sensitive: list[Any],
        created_at: str,
    ) -> None:
        rtype = self.registry.get(change.type)
        outputs = {**inputs, **(outs or {}), "id": rid}
        self.store.write_resource(
            self.plan.workspace,
            ResourceState(
                address=change.address,
                type=change.type,
                id=rid,
                inputs=inputs,
                outputs=outputs,
                dependencies=change.dependencies,
                provider_version=rtype.version if rtype else "",
                created_at=created_at,
                updated_at=_now(),
                status=ResourceStatus.CREATED,
                sensitive_paths=sensitive,
            ),
        )
        addr = parse_address(change.address)
        self.values.set_resource(addr.type, addr.name, addr.key, _attrs(outputs), sensitive)

    def _create(self, change: ResourceChange, kind: str, *, announce: bool = True) -> None:
        if announce:
            self.progress.start(change.address, kind)
        try:
            provider, inputs, sensitive = self._final_inputs(change)
            result = provider.create(inputs)
        except BaseException as exc:
            self.progress.fail(change.address, _message(exc))
            raise
        rid = str(result.id)
        self._record(change, rid, inputs, dict(result.outs or {}), sensitive, _now())
        self.progress.finish(change.address, kind, f"id={rid}")

    def _update(self, change: ResourceChange) -> None:
        prior = self.prior.resources[change.address]
        self.progress.start(change.address, "update")
        try:
            provider, inputs, sensitive = self._final_inputs(change)
            result = provider.update(prior.id, dict(prior.outputs), inputs)
        except BaseException as exc:
            self.progress.fail(change.address, _message(exc))
            # The object may be half-updated: replace it on the next apply.
            prior.status = ResourceStatus.TAINTED
            self.store.write_resource(self.plan.workspace, prior)
            raise
        self._record(change, prior.id, inputs, dict(result.outs or {}), sensitive, prior.created_at)
        self.progress.finish(change.address, "update", f"id={prior.id}")

    def _delete_prior(self, change: ResourceChange) -> None:
        prior = self.prior.resources.get(change.address)
        if prior is None:
            return
        rtype = self.registry.get(prior.type)
        if rtype is None:
            raise OpspecError(f"no provider for type {prior.type}")
        provider = rtype.provider(self.ctx.for_address(change.address))
        provider.delete(prior.id, dict(prior.outputs))

    def _delete_and_forget(self, change: ResourceChange, verb: str) -> None:
        """Delete the prior resource, then its state record; a failure is shown and raised
        (the record stays: a failed delete means the resource still exists)."""
        self.progress.start(change.address, verb)
        try:
            self._delete_prior(change)
        except BaseException as exc:
            self.progress.fail(change.address, _message(exc))
            raise
        self.store.remove_resource(self.plan.workspace, change.address)

    def _delete(self, change: ResourceChange) -> None:
        self._delete_and_forget(change, "delete")
        self.progress.finish(change.address, "delete")

    def _replace_deleting_first(self, change: ResourceChange) -> None:
        self._delete_and_forget(change, "replace")
        self._create(change, "replace", announce=False)  # "Replacing..." is out already

    def _refresh(self, change: ResourceChange) -> None:
        self.progress.start(change.address, "read")
        prior = self.prior.resources[change.address]
        if change.after is None:
            self.store.remove_resource(self.plan.workspace, change.address)
        else:
            prior.outputs = dict(change.after)
            prior.updated_at = _now()
            self.store.write_resource(self.plan.workspace, prior)
        self.progress.finish(change.address, "read")

    # -- root outputs -----------------------------------------------------------------------

    def _write_outputs(self, result: ApplyResult) -> None:
        outputs: dict[str, OutputState] = {}
        for name, block in self.config.outputs.items():
            if self.plan.flags.get("destroy"):
                continue
            try:
                ev = evaluate_value(block.spec.value, self.values.scope())
            except ExprError as exc:
                self.diags.append(error(str(exc), "", block.value_pos))
                continue
            if contains_unknown(ev.value):
                continue  # a dependency failed; keep whatever we can
            outputs[name] = OutputState(ev.value, block.spec.sensitive)
        current = self.store.read(self.plan.workspace).outputs
        if outputs != current:
            self.store.write_outputs(self.plan.workspace, outputs)


def _attrs(outputs: dict[str, Any]) -> dict[str, Any]:
    return dict(outputs)


def _message(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return (
        text
        if isinstance(exc, OpspecError | RuntimeError | ValueError | OSError)
        else (f"{type(exc).__name__}: {text}")
    )
