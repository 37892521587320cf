"""The values a Pulumi program reads: planned ones at build time, resolved ones at run time.

The program is built once from the plan, when some attributes are still unknown; later, inside
``Output.apply`` callbacks, the same spec expressions are evaluated again with the upstream
values Pulumi resolved. :class:`ValueBase` holds everything both evaluations share (variables,
the configuration, the order of locals, every resource's planned or stored attributes) and
builds a fresh :class:`~engine.evaluation.scope.Values` for either, so callbacks running in any
order never share mutable state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.addrs import parse_address
from engine.config.model import Config
from engine.errors import OpspecError
from engine.evaluation.instances import evaluate_inputs, instance_for
from engine.evaluation.scope import Values
from engine.expr.evaluate import evaluate_value
from engine.plans.change import ResourceChange
from engine.plans.values import PathT
from engine.registry import Registry

# A resource's attributes and the paths of secrets among them.
Attrs = tuple[dict[str, Any], list[PathT]]


@dataclass
class ValueBase:
    """Variables, locals and resource attributes as the plan knows them."""

    config: Config
    registry: Registry
    variables: dict[str, Any]
    sensitive_variables: set[str]
    local_order: list[str]  # local names, dependencies first
    resources: dict[str, Attrs] = field(default_factory=dict)  # by instance address

    def values(self, resolved: Mapping[str, Attrs] | None = None) -> Values:
        """A fresh scope: the base attributes, ``resolved`` ones over them, locals evaluated."""
        values = Values(dict(self.variables), set(self.sensitive_variables))
        for block in self.config.resources.values():
            values.declare_block(block.addr.type, block.addr.name, block.has_for_each)
        for address, (attrs, sensitive) in {**self.resources, **(resolved or {})}.items():
            addr = parse_address(address)
            values.set_resource(addr.type, addr.name, addr.key, dict(attrs), list(sensitive))
        for name in self.local_order:
            result = evaluate_value(self.config.locals[name].value, values.scope())
            values.set_local(name, result.value, bool(result.sensitive_paths))
        return values

    def inputs(self, change: ResourceChange, values: Values) -> tuple[dict[str, Any], list[PathT]]:
        """The evaluated (unchecked) inputs of ``change``'s instance and their secret paths."""
        block = self.config.resources[change.block]
        rtype = self.registry.get(change.type)
        if rtype is None:
            raise OpspecError(f"no provider for type {change.type}")
        instance = instance_for(block, change.index, values)
        return evaluate_inputs(block, instance, values, rtype)
