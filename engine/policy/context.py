"""What every rule sees while one plan is evaluated, built lazily and shared between rules.

The dependency view and the resource changes grouped by type are each computed at most once per
evaluation, whichever rule asks first, so a pack of many rules over a large plan pays for them
once. The cost is the plan's own ``cost`` document: whoever makes the plan attaches it when
anything in it is priced (``opspec plan`` does), so policies read it and never estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from engine.views.plan_graph import Change, PlanGraph


class EvalContext:
    """One evaluation of policies over one plan."""

    def __init__(self, plan: dict[str, Any], *, allow_python: bool) -> None:
        self.plan = plan
        self.allow_python = allow_python
        self.shared: dict[Any, Any] = {}

    @cached_property
    def graph(self) -> PlanGraph:
        return PlanGraph(self.plan)

    @cached_property
    def changes(self) -> list[Change]:
        changes = self.plan.get("resource_changes") or []
        return [c for c in changes if isinstance(c, Mapping)]

    @cached_property
    def by_type(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for change in self.changes:
            out.setdefault(str(change.get("type", "")), []).append(change)
        return out

    def of_types(self, types: frozenset[str] | None) -> list[Change]:
        """The changes of the given types, in plan order (every change for ``None``)."""
        if types is None:
            return self.changes
        if len(types) == 1:
            return self.by_type.get(next(iter(types)), [])
        return [c for c in self.changes if c.get("type") in types]

    @property
    def cost(self) -> dict[str, Any] | None:
        """The plan's cost document; ``None`` when nothing in the plan is priced."""
        cost = self.plan.get("cost")
        return cost if isinstance(cost, dict) else None
