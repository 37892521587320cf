"""The apply graph: changed instances, locals and one barrier node per resource block.

Edges between blocks go through barriers (a block's barrier waits for all its instances), so
a block with a thousand instances that depends on another with a thousand adds two thousand
edges, not a million. Deletions run in reverse dependency order: a resource is deleted only
after everything that depended on it (by its recorded dependencies) is gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import assert_never

from engine.addrs import parse_address
from engine.dag import Graph
from engine.plans.action import Action
from engine.plans.change import Plan

_LOCAL_PREFIX = "local."


class NodeKind(StrEnum):
    LOCAL = "local"  # a local value, evaluated once its references are applied
    CHANGE = "change"  # create, update, replace or refresh of one instance
    DELETE = "delete"  # deletion of one instance
    BLOCK = "block"  # barrier: every instance of a resource block is applied
    DELETE_BARRIER = "delete-barrier"  # barrier: dependents of a block's instances are deleted


@dataclass(frozen=True, slots=True)
class ApplyNode:
    """One node of the apply walk. ``name`` is a local's name, an instance address (changes
    and deletions) or a block address (barriers)."""

    kind: NodeKind
    name: str
    label: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", _label(self.kind, self.name))

    def __str__(self) -> str:
        return self.label

    def __lt__(self, other: ApplyNode) -> bool:
        # Ready nodes start in label order, as a summary lists them.
        return self.label < other.label


def _label(kind: NodeKind, name: str) -> str:
    match kind:
        case NodeKind.LOCAL:
            return _LOCAL_PREFIX + name
        case NodeKind.CHANGE:
            return name
        case NodeKind.DELETE | NodeKind.BLOCK | NodeKind.DELETE_BARRIER:
            return f"{kind.value}:{name}"
        case _:
            assert_never(kind)


def _node(name: str) -> ApplyNode:
    """A configuration node (``local.NAME`` or a block address) as the apply graph has it."""
    if name.startswith(_LOCAL_PREFIX):
        return ApplyNode(NodeKind.LOCAL, name[len(_LOCAL_PREFIX) :])
    return ApplyNode(NodeKind.BLOCK, name)


def apply_graph(plan: Plan, node_deps: dict[str, set[str]]) -> Graph[ApplyNode]:
    """``node_deps`` maps locals and resource blocks to what they reference."""
    g: Graph[ApplyNode] = Graph()
    for name, deps in node_deps.items():
        if name.startswith("output."):
            continue
        g.add_node(_node(name))
        for dep in deps:
            g.add_edge(_node(dep), _node(name))
    dependents: dict[str, set[ApplyNode]] = {}
    for change in plan.changes:
        if not change.action.is_change:
            continue
        if change.action is Action.DELETE:
            node = ApplyNode(NodeKind.DELETE, change.address)
            g.add_node(node)
            g.add_edge(ApplyNode(NodeKind.DELETE_BARRIER, change.block), node)
            for dep in change.dependencies:
                dependents.setdefault(dep, set()).add(node)
            continue
        node = ApplyNode(NodeKind.CHANGE, change.address)
        g.add_node(node)
        g.add_edge(node, _node(change.block))
        for dep in node_deps.get(change.block, ()):
            g.add_edge(_node(dep), node)
    for dep_block, nodes in dependents.items():
        barrier = ApplyNode(NodeKind.DELETE_BARRIER, parse_address(dep_block).block)
        for node in nodes:
            g.add_edge(node, barrier)
    return g
