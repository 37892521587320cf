"""From a plan to a :class:`~engine.executors.program.ProgramSpec`: what to declare, in which
order, with which dependencies, and which values the program starts from.

Everything that can refuse (an unknown type, a pool whose kind is not known at plan time) runs
here, before Pulumi is started, so a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from engine.evaluation.scope import Values
from engine.executors.evaluation import Attrs, ValueBase
from engine.executors.partition import Partition
from engine.executors.program import Declared, ProgramSpec, ResultSink
from engine.plans.action import Action
from engine.plans.change import Plan, ResourceChange
from engine.plans.planner import Planner
from engine.providers.native import native_hook
from engine.states.store import StateSnapshot


def _local_order(planner: Planner) -> list[str]:
    return [n[len("local.") :] for n in planner.graph.topological_order() if n.startswith("local.")]


def _base(plan: Plan, planner: Planner, resources: dict[str, Attrs]) -> ValueBase:
    return ValueBase(
        config=planner.config,
        registry=planner.registry,
        variables=dict(plan.variables),
        sensitive_variables=set(plan.sensitive_variables),
        local_order=_local_order(planner),
        resources=resources,
    )


def values_from_state(plan: Plan, planner: Planner, snapshot: StateSnapshot) -> Values:
    """Values for root outputs: every resource as state holds it now."""
    resources = {
        a: (dict(r.outputs), list(r.sensitive_paths)) for a, r in snapshot.resources.items()
    }
    return _base(plan, planner, resources).values()


def value_base(plan: Plan, planner: Planner, prior: StateSnapshot, work: Partition) -> ValueBase:
    """Stored attributes for what Pulumi does not touch, planned ones for what it declares."""
    resources: dict[str, Attrs] = {
        a: (dict(r.outputs), list(r.sensitive_paths)) for a, r in prior.resources.items()
    }
    for change in plan.changes:
        if change.action is Action.DELETE:
            resources.pop(change.address, None)
    for change in work.declared:
        resources[change.address] = (dict(change.after or {}), list(change.after_sensitive))
    return _base(plan, planner, resources)


def _value_sources(block: str, node_deps: Mapping[str, Iterable[str]]) -> set[str]:
    """Resource blocks whose attributes ``block``'s expressions read, through locals."""
    seen: set[str] = set()
    todo = list(node_deps.get(block, ()))
    found: set[str] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.startswith("local."):
            todo.extend(node_deps.get(node, ()))
        elif not node.startswith("output."):
            found.add(node)
    return found


def _ordered(changes: list[ResourceChange], planner: Planner) -> list[ResourceChange]:
    rank = {node: i for i, node in enumerate(planner.graph.topological_order())}
    return sorted(changes, key=lambda c: (rank.get(c.block, len(rank)), c.address))


def program_spec(
    plan: Plan, planner: Planner, prior: StateSnapshot, work: Partition, sink: ResultSink
) -> ProgramSpec:
    base = value_base(plan, planner, prior, work)
    declared = _ordered(work.declared, planner)
    by_block: dict[str, list[str]] = {}
    for change in declared:
        by_block.setdefault(change.block, []).append(change.address)
    items = []
    for change in declared:
        rtype = planner.registry.get(change.type)
        if rtype is None:
            from engine.errors import OpspecError

            raise OpspecError(f"no provider for type {change.type}")
        provider = rtype.provider(planner.ctx.for_address(change.address))
        hook = native_hook(provider, change.after or {})
        stored = prior.resources.get(change.address)
        block = planner.config.resources[change.block]
        items.append(
            Declared(
                change=change,
                provider=provider,
                hook=hook,
                sources=[
                    a
                    for b in sorted(_value_sources(change.block, planner.node_deps))
                    for a in by_block.get(b, [])
                ],
                depends_on=[a for b in change.dependencies for a in by_block.get(b, [])],
                prior_inputs=dict(stored.inputs) if stored else {},
                ignore_changes=list(block.lifecycle.ignore_changes),
            )
        )
    outputs = {} if plan.flags.get("destroy") else dict(planner.config.outputs)
    return ProgramSpec(base=base, declared=items, outputs=outputs, sink=sink)
