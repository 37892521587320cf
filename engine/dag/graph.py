"""The dependency graph: nodes, edges, stable topological order, cycles, closures."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, Protocol, TypeVar

import networkx as nx


class Node(Hashable, Protocol):
    """What a graph node must be: hashable, and ordered, for stable reports and walks."""

    def __lt__(self, other: Any, /) -> bool: ...


N = TypeVar("N", bound=Node)


class Graph(Generic[N]):
    def __init__(self) -> None:
        self._g: nx.DiGraph = nx.DiGraph()
        self._order: list[N] | None = None  # the topological order, until the next change

    def add_node(self, node: N) -> None:
        self._order = None
        self._g.add_node(node)

    def add_edge(self, dependency: N, dependent: N) -> None:
        """``dependent`` depends on ``dependency``."""
        self._order = None
        self._g.add_edge(dependency, dependent)

    def add_edges(self, edges: Iterable[tuple[N, N]]) -> None:
        """Many ``(dependency, dependent)`` edges at once."""
        self._order = None
        self._g.add_edges_from(edges)

    def __contains__(self, node: object) -> bool:
        return node in self._g

    def __len__(self) -> int:
        return int(self._g.number_of_nodes())

    @property
    def nodes(self) -> list[N]:
        return list(self._g.nodes)

    @property
    def edges(self) -> list[tuple[N, N]]:
        return list(self._g.edges)

    def dependencies(self, node: N) -> list[N]:
        return sorted(self._g.predecessors(node))

    def dependents(self, node: N) -> list[N]:
        return sorted(self._g.successors(node))

    def ancestors(self, nodes: Iterable[N]) -> set[N]:
        return self._reached(nodes, nx.ancestors)

    def descendants(self, nodes: Iterable[N]) -> set[N]:
        return self._reached(nodes, nx.descendants)

    def _reached(self, nodes: Iterable[N], reach: Callable[[nx.DiGraph, N], set[N]]) -> set[N]:
        """Every node ``reach`` finds from any of ``nodes`` (those not in the graph skipped)."""
        out: set[N] = set()
        for n in nodes:
            if n in self._g:
                out |= reach(self._g, n)
        return out

    def cycles(self) -> list[list[N]]:
        """One cycle per strongly connected component, each starting at its smallest node,
        in sorted order, so reports are identical between runs."""
        try:
            self._order = list(nx.topological_sort(self._g))
            return []  # acyclic, and the order is ready for the walk
        except nx.NetworkXUnfeasible:
            pass
        found: list[list[N]] = []
        for component in nx.strongly_connected_components(self._g):
            if len(component) == 1:
                (only,) = component
                if self._g.has_edge(only, only):
                    found.append([only, only])
                continue
            start = min(component)
            sub = self._g.subgraph(component)
            path = _shortest_cycle_from(sub, start)
            found.append(path)
        return sorted(found)

    def topological_order(self) -> list[N]:
        """Dependencies first; the same for the same graph built in the same order."""
        if self._order is None:
            self._order = list(nx.topological_sort(self._g))
        return list(self._order)

    def subgraph(self, nodes: Iterable[N]) -> Graph[N]:
        out: Graph[N] = Graph()
        out._g = self._g.subgraph(nodes).copy()
        return out

    def reversed(self) -> Graph[N]:
        out: Graph[N] = Graph()
        out._g = self._g.reverse(copy=True)
        return out

    def to_networkx(self) -> nx.DiGraph:
        return self._g


def _shortest_cycle_from(g: nx.DiGraph, start: N) -> list[N]:
    """The shortest cycle through ``start`` (``[start, ..., start]``), preferring small names."""
    best: list[N] | None = None
    for succ in sorted(g.successors(start)):
        try:
            back = nx.shortest_path(g, succ, start)
        except nx.NetworkXNoPath:
            continue
        candidate = [start, *back]
        if best is None or len(candidate) < len(best):
            best = candidate
    assert best is not None, "a strongly connected component has a cycle through each node"
    return best
