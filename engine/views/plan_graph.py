"""A read-only view over the ``resource_changes`` of a plan JSON document: accessors, the
facts cost and policies both read off a change, and the dependency graph between blocks.

Cost estimates and policies both ask graph questions of a plan ("which ``gpu_pool`` does this
``llm_service`` run on?", "is there a gated evaluation upstream of this model?"), and both work
over the plan JSON alone so they stay independent of the engine's internals. Dependencies in the
plan name resource blocks (``TYPE.NAME``, without the ``for_each`` key), so the graph is kept
per block; every question is answered by a memoised walk, linear in the size of the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any

Change = Mapping[str, Any]

# Actions after which the resource exists (everything except a plain delete and a read).
_GONE = (["delete"], ["read"])


def block_of(change: Change) -> str:
    """The block address ``TYPE.NAME`` of a resource change (its instance key stripped)."""
    return f"{change.get('type', '')}.{change.get('name', '')}"


def actions_of(change: Change) -> list[str]:
    actions = (change.get("change") or {}).get("actions") or []
    return [str(a) for a in actions]


def exists_after(change: Change) -> bool:
    """Whether the resource exists once the plan is applied."""
    return actions_of(change) not in _GONE


def after_of(change: Change) -> dict[str, Any]:
    after = (change.get("change") or {}).get("after")
    return after if isinstance(after, dict) else {}


def before_of(change: Change) -> dict[str, Any]:
    before = (change.get("change") or {}).get("before")
    return before if isinstance(before, dict) else {}


def number(value: Any, default: float) -> float:
    """``value`` when it is a number (booleans are not), else ``default``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def gpus_per_replica(service: dict[str, Any]) -> int:
    """GPUs each replica of an ``llm_service`` asks for (1 when the spec leaves it out)."""
    return int(number(service.get("gpus"), 1))


def replica_range(service: dict[str, Any]) -> tuple[int, int]:
    """(fewest, most) replicas of an ``llm_service``: its autoscaling bounds, else replicas."""
    replicas = int(number(service.get("replicas"), 1))
    scaling = service.get("autoscaling")
    if not isinstance(scaling, dict):
        return replicas, replicas
    low = int(number(scaling.get("min_replicas"), replicas))
    return low, int(number(scaling.get("max_replicas"), max(low, replicas)))


class PlanGraph:
    """Blocks of a plan, their instances, and memoised upstream searches."""

    def __init__(self, plan: Mapping[str, Any]) -> None:
        changes = plan.get("resource_changes") or []
        self.changes: list[Change] = [c for c in changes if isinstance(c, Mapping)]
        self.instances: dict[str, list[Change]] = {}
        self.deps: dict[str, set[str]] = {}
        self.types: dict[str, str] = {}
        for change in self.changes:
            block = block_of(change)
            self.types[block] = str(change.get("type", ""))
            self.instances.setdefault(block, []).append(change)
            deps = self.deps.setdefault(block, set())
            deps.update(str(d).split("[", 1)[0] for d in change.get("dependencies") or [])
        self._memo: dict[str, dict[str, frozenset[str]]] = {}

    def type_of(self, block: str) -> str:
        found = self.types.get(block)
        return found if found is not None else block.split(".", 1)[0]

    def upstream_matching(
        self, block: str, key: str, match: Callable[[str], bool]
    ) -> frozenset[str]:
        """Blocks upstream of ``block`` (transitively, itself excluded) for which ``match`` holds.

        ``key`` names the predicate: the first question with a new key answers it for every
        block at once, in one pass in dependency order, so later questions are a lookup.
        """
        memo = self._memo.get(key)
        if memo is None:
            memo = self._memo[key] = self._closure(match)
        return memo.get(block, frozenset())

    @cached_property
    def order(self) -> list[str]:
        """Every block, dependencies before dependents (blocks on a cycle come last)."""
        nodes = set(self.deps)
        for deps in self.deps.values():
            nodes.update(deps)
        dependents: dict[str, list[str]] = {}
        waiting: dict[str, int] = {}
        for node in sorted(nodes):
            deps = self.deps.get(node, set()) - {node}
            waiting[node] = len(deps)
            for dep in deps:
                dependents.setdefault(dep, []).append(node)
        ready = [n for n, count in waiting.items() if count == 0]
        order: list[str] = []
        while ready:
            node = ready.pop()
            order.append(node)
            for child in dependents.get(node, ()):
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
        done = set(order)
        return order + sorted(nodes - done)

    def _closure(self, match: Callable[[str], bool]) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = {}
        empty: frozenset[str] = frozenset()
        matches = {n for n in self.order if match(n)}
        for node in self.order:
            deps = self.deps.get(node)
            if not deps:
                found[node] = empty
                continue
            parts = [f for d in deps if d != node and (f := found.get(d))]
            hits = [d for d in deps if d in matches and d != node]
            if not hits and len(parts) <= 1:  # share the one upstream set (most nodes)
                found[node] = parts[0] if parts else empty
            else:
                found[node] = frozenset(hits).union(*parts)
        return found

    def upstream_of_types(self, block: str, types: Iterable[str]) -> frozenset[str]:
        wanted = frozenset(types)
        key = "types:" + ",".join(sorted(wanted))
        return self.upstream_matching(block, key, lambda b: self.type_of(b) in wanted)

    def nearest_upstream(self, block: str, type_name: str) -> str | None:
        """The closest block of ``type_name`` upstream of ``block`` (breadth-first, stable)."""
        seen = {block}
        frontier = sorted(self.deps.get(block, ()))
        while frontier:
            for dep in frontier:
                if self.type_of(dep) == type_name and dep in self.instances:
                    return dep
            seen.update(frontier)
            frontier = sorted({d for f in frontier for d in self.deps.get(f, ()) if d not in seen})
        return None
