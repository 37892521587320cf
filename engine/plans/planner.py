"""Building a plan: configuration + prior state -> resource and output changes.

The steps, in order: resolve variables; check every reference statically and build the graph
of locals, resources and outputs; report cycles; then walk the graph in dependency order,
expanding ``for_each``, evaluating inputs, refreshing, checking and diffing each instance;
finally plan deletions of what state has and the configuration no longer declares.
Planning calls only providers' ``check``, ``read`` and ``diff``: it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine import redaction
from engine.addrs import parse_address
from engine.config.model import Config, Executor, ResourceBlock
from engine.dag import Graph
from engine.diagnostics import Diagnostics, error
from engine.evaluation.instances import BlockError, Instance, evaluate_inputs, expand
from engine.evaluation.scope import Values
from engine.evaluation.variables import resolve_variables
from engine.expr.evaluate import evaluate_value
from engine.expr.template import ExprError
from engine.expr.unknown import UNKNOWN
from engine.plans.action import Action
from engine.plans.change import Plan, ResourceChange
from engine.plans.config_graph import ConfigGraph, local_pos
from engine.plans.instance import InstancePlan, InstanceRequest, plan_instance, refresh
from engine.plans.orphans import plan_orphans
from engine.plans.outputs import plan_outputs
from engine.plans.values import PathT
from engine.providers import ProviderContext
from engine.registry import Registry, ResourceType
from engine.states.store import StateSnapshot
from specs.base import attribute_names


@dataclass
class PlanOptions:
    workspace: str = "default"
    cli_vars: list[str] = field(default_factory=list)
    var_files: list[Path] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    replace: list[str] = field(default_factory=list)
    refresh: bool = True
    refresh_only: bool = False
    destroy: bool = False
    untrusted: bool = False
    executor: str | None = None


class Planner:
    def __init__(
        self,
        config: Config,
        prior: StateSnapshot,
        registry: Registry,
        ctx: ProviderContext,
        options: PlanOptions,
    ) -> None:
        self.config = config
        self.prior = prior
        self.registry = registry
        self.ctx = ctx
        self.opts = options
        self.diags = Diagnostics()
        self.graph: Graph[str] = Graph()
        self.block_deps: dict[str, set[str]] = {}  # resource block -> resource blocks
        self.node_deps: dict[str, set[str]] = {}  # local/resource/output -> any node
        self.changes: dict[str, ResourceChange] = {}
        self.values: Values | None = None
        self.changed_blocks: set[str] = set()

    # -- entry point ---------------------------------------------------------------------

    def build(self) -> Diagnostics:
        """Check references and build the graph (what apply of a saved plan needs)."""
        graph = ConfigGraph(self.config, self.registry, self.diags)
        graph.build()
        self.graph, self.block_deps, self.node_deps = (
            graph.graph,
            graph.block_deps,
            graph.node_deps,
        )
        self._check_flags()
        return self.diags

    def plan(self) -> tuple[Plan | None, Diagnostics]:
        variables, sensitive_vars, var_diags = resolve_variables(
            self.config, self.opts.cli_vars, self.opts.var_files, untrusted=self.opts.untrusted
        )
        self.diags.extend(var_diags)
        self.build()
        if self.diags.has_errors:
            return None, self.diags
        self.values = Values(variables, sensitive_vars)
        included = self._included()
        for node in self.graph.topological_order():
            if node not in included:
                continue
            if node.startswith("local."):
                self._plan_local(node[len("local.") :])
            elif not node.startswith("output."):
                self._plan_block(self.config.resources[node])
        self._check_across_instances()
        orphans = plan_orphans(self)
        outputs = plan_outputs(self) if not self.opts.targets else {}
        if self.diags.has_errors:
            return None, self.diags
        plan = Plan(
            workspace=self.opts.workspace,
            lineage=self.prior.lineage,
            serial=self.prior.serial,
            fingerprint=self.config.fingerprint,
            changes=sorted([*self.changes.values(), *orphans], key=lambda c: c.address),
            outputs=outputs,
            variables=variables,
            sensitive_variables=sorted(sensitive_vars),
            flags={
                "destroy": self.opts.destroy,
                "refresh_only": self.opts.refresh_only,
                "untrusted": self.opts.untrusted,
                "targets": self.opts.targets,
                "replace": self.opts.replace,
            },
        )
        return plan, self.diags

    # -- the graph -----------------------------------------------------------------------

    def _check_flags(self) -> None:
        for flag, items in (("--target", self.opts.targets), ("--replace", self.opts.replace)):
            for item in items:
                try:
                    block = parse_address(item).block
                except ValueError as exc:
                    self.diags.append(error(f"{flag}: {exc}"))
                    continue
                if block not in self.config.resources and not any(
                    r.startswith(block) for r in self.prior.resources
                ):
                    self.diags.append(
                        error(f"{flag} {item}: no such resource in the configuration or state")
                    )

    def _included(self) -> set[str]:
        nodes = set(self.graph.nodes)
        if not self.opts.targets:
            return nodes
        targets = {parse_address(t).block for t in self.opts.targets}
        if self.opts.destroy:
            return (
                targets
                | self.graph.descendants(targets)
                | {n for n in self.graph.ancestors(targets) if n.startswith("local.")}
            )
        return targets | self.graph.ancestors(targets)

    # -- walking -------------------------------------------------------------------------

    def _plan_local(self, name: str) -> None:
        assert self.values is not None
        local = self.config.locals[name]
        try:
            ev = evaluate_value(local.value, self.values.scope())
        except ExprError as exc:
            path = getattr(exc, "path", ())
            self.diags.append(error(str(exc), "", local_pos(local, path)))
            return
        self.values.set_local(name, ev.value, bool(ev.sensitive_paths))

    def _plan_block(self, block: ResourceBlock) -> None:
        assert self.values is not None
        rtype = self.registry.get(block.addr.type)
        if rtype is None or self.opts.destroy:
            return
        self.values.declare_block(block.addr.type, block.addr.name, block.has_for_each)
        try:
            instances = expand(block, self.values)
        except BlockError as exc:
            self.diags.extend(exc.diagnostics)
            self.values.roots[block.addr.type][block.addr.name] = UNKNOWN
            return
        deps = sorted(self.block_deps.get(block.addr.block, ()))
        for inst in instances:
            if self.opts.targets and not self._targeted(inst.address, block):
                continue
            self._plan_instance(block, rtype, inst, deps)

    def _plan_instance(
        self, block: ResourceBlock, rtype: ResourceType, inst: Instance, deps: list[str]
    ) -> None:
        """Evaluate one instance's inputs, plan it, and record its change and the values
        its dependents will read."""
        assert self.values is not None
        try:
            inputs, sensitive = evaluate_inputs(block, inst, self.values, rtype)
        except BlockError as exc:
            self.diags.extend(exc.diagnostics)
            self._set_unknown(rtype, block, inst.key)
            return
        request = self._request(block, rtype, inst, inputs, sensitive, deps)
        try:
            result = self._call_provider(request)
        except Exception as exc:  # a provider's own failure, reported as a diagnostic
            self.diags.append(
                error(
                    f"provider error while planning {inst.address}",
                    redaction.redact(f"{type(exc).__name__}: {exc}"),
                    block.pos,
                    inst.address,
                )
            )
            return
        if result.diagnostics:
            self.diags.extend(result.diagnostics)
        if not result.attrs:
            # Checking failed (reported above): dependents read unknowns rather than
            # reporting errors of their own about the missing attributes.
            self._set_unknown(rtype, block, inst.key)
            return
        self.changes[inst.address] = result.change
        if result.change.action.is_change:
            self.changed_blocks.add(block.addr.block)
        self.values.set_resource(
            block.addr.type, block.addr.name, inst.key, result.attrs, sensitive
        )

    def _request(
        self,
        block: ResourceBlock,
        rtype: ResourceType,
        inst: Instance,
        inputs: dict[str, Any],
        sensitive: list[PathT],
        deps: list[str],
    ) -> InstanceRequest:
        """What planning one instance needs; ``refreshed`` is left for :meth:`_call_provider`."""
        return InstanceRequest(
            address=inst.address,
            key=inst.key,
            block=block,
            rtype=rtype,
            provider=rtype.provider(self.ctx.for_address(inst.address)),
            inputs=inputs,
            sensitive=sensitive,
            prior=self.prior.resources.get(inst.address),
            refreshed=None,
            dependencies=deps,
            replace_requested=bool(self.opts.replace)
            and self._replace_requested(inst.address, block),
            changed_dependencies=[d for d in deps if d in self.changed_blocks],
            triggered_by=self._triggered(block) if block.lifecycle.replace_triggered_by else [],
            executor=self._executor(block),
        )

    def _call_provider(self, req: InstanceRequest) -> InstancePlan:
        """The provider calls of planning one instance: refresh (read), then check and diff."""
        if req.prior is not None and (self.opts.refresh or self.opts.refresh_only):
            req.refreshed = refresh(req.provider, req.prior)
        return plan_instance(req, refresh_only=self.opts.refresh_only)

    def _check_across_instances(self) -> None:
        """Provider classes may check all instances of their type together (e.g. two
        services on one port) through an optional ``check_instances`` static method."""
        by_type: dict[str, dict[str, dict[str, Any]]] = {}
        for change in self.changes.values():
            if change.after is not None and change.action is not Action.DELETE:
                by_type.setdefault(change.type, {})[change.address] = change.after
        for type_name, instances in sorted(by_type.items()):
            rtype = self.registry.get(type_name)
            hook = getattr(rtype.provider, "check_instances", None) if rtype else None
            if hook is None:
                continue
            for address, failures in sorted(hook(instances).items()):
                block = self.config.resources[parse_address(address).block]
                for f in failures:
                    path = tuple(f.property.split(".")) if f.property else ()
                    self.diags.append(
                        error(
                            f"invalid `{f.property}` in {address}",
                            f.reason,
                            block.pos_of(path),
                            address,
                        )
                    )

    def _set_unknown(self, rtype: ResourceType, block: ResourceBlock, key: str | None) -> None:
        assert self.values is not None
        attrs = dict.fromkeys(attribute_names(rtype.spec, rtype.outputs), UNKNOWN)
        self.values.set_resource(block.addr.type, block.addr.name, key, attrs, [])

    def _targeted(self, address: str, block: ResourceBlock) -> bool:
        # An instance target (`a.b["k"]`) narrows its own block; dependencies plan in full.
        narrowed = [t for t in self.opts.targets if parse_address(t).block == block.addr.block]
        if not narrowed:
            return True
        return any(t == block.addr.block or t == address for t in narrowed)

    def _replace_requested(self, address: str, block: ResourceBlock) -> bool:
        return any(r in (address, block.addr.block) for r in self.opts.replace)

    def _triggered(self, block: ResourceBlock) -> list[str]:
        fired = []
        for target in block.lifecycle.replace_triggered_by:
            addr = parse_address(target)
            for change in self.changes.values():
                same = (
                    change.address == str(addr)
                    if addr.key is not None
                    else change.block == addr.block
                )
                if same and (
                    change.action.is_replace
                    or change.action is Action.UPDATE
                    or (
                        change.action is Action.CREATE
                        and change.before is None
                        and self.prior.resources.get(change.address) is not None
                    )
                ):
                    fired.append(target)
                    break
        return fired

    def _executor(self, block: ResourceBlock) -> str:
        if self.opts.executor:
            return self.opts.executor
        return (block.executor or Executor.LOCAL).value
