"""The service dependency graph: cycle detection, ordering and reachability.

Edges point from a service to the services it depends on (its upstream). Traversals visit
services and dependencies in sorted order, so a reported cycle is the same on every run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["find_cycle", "topological_order", "upstream_closure"]

Graph = Mapping[str, Sequence[str]]


def find_cycle(graph: Graph) -> list[str] | None:
    """A dependency cycle as ``[a, b, ..., a]``, or None when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def topological_order(graph: Graph) -> list[str]:
    """Services with every dependency before its dependents (ties by name); needs no cycle."""
    order: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        done.add(node)
        for dep in sorted(graph.get(node, ())):
            visit(dep)
        order.append(node)

    for node in sorted(graph):
        visit(node)
    return order


def upstream_closure(graph: Graph) -> dict[str, set[str]]:
    """Every service's transitive dependencies (not including itself)."""
    closure: dict[str, set[str]] = {}
    for node in topological_order(graph):
        deps: set[str] = set()
        for dep in graph.get(node, ()):
            deps.add(dep)
            deps |= closure.get(dep, set())
        closure[node] = deps
    return closure
