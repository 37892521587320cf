"""The apply graph: changed instances, locals and one barrier node per resource block.

Edges between blocks go through barriers (``block:TYPE.NAME`` waits for all its instances), so
a block with a thousand instances that depends on another with a thousand adds two thousand
edges, not a million. Deletions run in reverse dependency order: a resource is deleted only
after everything that depended on it (by its recorded dependencies) is gone.
"""

from __future__ import annotations

from engine.addrs import parse_address
from engine.dag import Graph
from engine.plans.action import NOOP, Action
from engine.plans.change import Plan

DELETE_PREFIX = "delete:"
BLOCK_PREFIX = "block:"
_DELETE_BARRIER = "delete-barrier:"


def _node(name: str) -> str:
    """Locals keep their name; a resource block becomes its barrier node."""
    return name if name.startswith("local.") else BLOCK_PREFIX + name


def apply_graph(plan: Plan, node_deps: dict[str, set[str]]) -> Graph:
    """``node_deps`` maps locals and resource blocks to what they reference."""
    g = Graph()
    for name, deps in node_deps.items():
        if name.startswith("output."):
            continue
        g.add_node(_node(name))
        for dep in deps:
            g.add_edge(_node(dep), _node(name))
    dependents: dict[str, set[str]] = {}
    for change in plan.changes:
        if change.actions == NOOP:
            continue
        if change.actions == (Action.DELETE,):
            node = DELETE_PREFIX + change.address
            g.add_node(node)
            g.add_edge(_DELETE_BARRIER + change.block, node)
            for dep in change.dependencies:
                dependents.setdefault(dep, set()).add(node)
            continue
        g.add_node(change.address)
        g.add_edge(change.address, _node(change.block))
        for dep in node_deps.get(change.block, ()):
            g.add_edge(_node(dep), change.address)
    for dep_block, nodes in dependents.items():
        barrier = _DELETE_BARRIER + parse_address(dep_block).block
        for node in nodes:
            g.add_edge(node, barrier)
    return g
