"""The inline Pulumi program built from a plan: one Pulumi resource per opspec instance.

Every instance that will exist after apply and that Pulumi manages is declared, in dependency
order. A provider becomes a ``pulumi.dynamic.Resource`` (named by the instance address), so
Pulumi's dynamic-provider host calls the provider's own ``check``/``diff``/``create``; a
provider with a native hook (:mod:`engine.providers.native`) registers real Pulumi objects under
a component named by the address instead.

Inputs known at plan time go in as plain values; an input that reads an attribute known only
after apply becomes an ``Output``: the instance's spec body is evaluated again, by the engine's
own evaluator, once Pulumi has resolved the upstream attributes, and split per top-level key.
``depends_on`` follows the plan's recorded dependencies. When a resource's outputs resolve
(Pulumi finished creating or updating it), the ``on_result`` callback records it, so opspec
state keeps each finished resource even when a later one fails. Root outputs are exported.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pulumi
import pulumi.dynamic

from engine.errors import OpspecError
from engine.executors.evaluation import Attrs, ValueBase
from engine.executors.stack import COMPONENT_PREFIX, DYNAMIC_TYPE
from engine.expr.evaluate import evaluate_value
from engine.expr.unknown import contains_unknown
from engine.plans.change import ResourceChange
from engine.plans.values import PathT
from engine.providers import Provider, denormalize_floats
from engine.providers.native import PulumiNative
from specs.base import attribute_names

__all__ = ["Declared", "OpspecResource", "ProgramSpec", "ResultSink", "build_program"]

# (inputs, secret paths) of an instance once its upstream values are known.
Evaluated = tuple[dict[str, Any], list[PathT]]


class OpspecResource(pulumi.dynamic.Resource):
    """An opspec resource instance managed by Pulumi through its provider (type token
    ``pulumi-python:dynamic:Resource``; the provider is pickled by reference)."""

    def __init__(
        self,
        provider: Provider,
        address: str,
        inputs: Mapping[str, Any],
        output_names: list[str],
        opts: pulumi.ResourceOptions,
    ) -> None:
        # A None property is an output Pulumi fills from the provider's result.
        props: dict[str, Any] = {name: None for name in output_names}
        props.update(inputs)
        super().__init__(provider, address, props, opts)
        self.output_names = output_names

    def attributes(self) -> pulumi.Output[dict[str, Any]]:
        """Every attribute expressions may read (``id`` included), once Pulumi has them."""
        outs = {name: self.__dict__[name] for name in self.output_names}
        return pulumi.Output.all(id=self.id, **outs).apply(denormalize_floats)


class ResultSink:
    """Receives what the program learns; the executor's recorder implements it."""

    def register_urn(self, urn: str, address: str) -> None:
        """``urn`` belongs to ``address`` (to map Pulumi's events back)."""

    def record(
        self,
        change: ResourceChange,
        inputs: dict[str, Any],
        attrs: dict[str, Any],
        sensitive: list[PathT],
    ) -> None:
        """Pulumi finished ``change``: its checked inputs and resulting attributes."""


@dataclass
class Declared:
    """One instance the program declares, with what building it needs from the plan."""

    change: ResourceChange
    provider: Provider
    hook: PulumiNative | None
    sources: list[str]  # declared addresses whose attributes its inputs may read
    depends_on: list[str]  # declared addresses it must wait for
    prior_inputs: dict[str, Any] = field(default_factory=dict)  # `olds` for check
    ignore_changes: list[str] = field(default_factory=list)


@dataclass
class ProgramSpec:
    base: ValueBase
    declared: list[Declared]  # dependencies first
    outputs: dict[str, Any]  # root output name -> OutputBlock (none when destroying)
    sink: ResultSink


def build_program(spec: ProgramSpec) -> Callable[[], None]:
    """The inline program (a function Pulumi's Automation API, or a mock runtime, runs)."""

    def program() -> None:
        _Run(spec).run()

    return program


class _Run:
    def __init__(self, spec: ProgramSpec) -> None:
        self.spec = spec
        self.planned = spec.base.values()
        self.resources: dict[str, pulumi.Resource] = {}
        self.attrs: dict[str, pulumi.Output[dict[str, Any]]] = {}
        self.urn_prefix = f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::"

    def run(self) -> None:
        for item in self.spec.declared:
            self._declare(item)
        self._export_outputs()

    # -- inputs ------------------------------------------------------------------------------

    def _evaluate(self, item: Declared, resolved: Mapping[str, Any]) -> Evaluated:
        base = self.spec.base
        upstream: dict[str, Attrs] = {
            address: (denormalize_floats(attrs), base.resources[address][1])
            for address, attrs in resolved.items()
        }
        inputs, sensitive = base.inputs(item.change, base.values(upstream))
        if contains_unknown(inputs):
            raise OpspecError(f"{item.change.address}: inputs still unknown after its upstream")
        return inputs, sensitive

    def _resolver(self, item: Declared) -> pulumi.Output[Evaluated]:
        upstream = {a: self.attrs[a] for a in item.sources if a in self.attrs}
        gathered: pulumi.Output[Any] = (
            pulumi.Output.all(**upstream) if upstream else pulumi.Output.from_input({})
        )
        return gathered.apply(partial(self._evaluate, item))

    @staticmethod
    def _wire(
        raw: dict[str, Any], sensitive: list[PathT], resolver: pulumi.Output[Evaluated] | None
    ) -> dict[str, Any]:
        """Plain values where known, Outputs of the re-evaluated body where not; secrets
        wrapped so Pulumi encrypts them in its state."""
        secret_keys = {p[0] for p in sensitive if p}
        wired: dict[str, Any] = {}
        for key, value in raw.items():
            if resolver is not None and contains_unknown(value):
                value = resolver.apply(partial(_input_at, key))
            wired[key] = pulumi.Output.secret(value) if key in secret_keys else value
        return wired

    # -- resources ---------------------------------------------------------------------------

    def _declare(self, item: Declared) -> None:
        change = item.change
        raw, sensitive = self.spec.base.inputs(change, self.planned)
        resolver = self._resolver(item) if contains_unknown(raw) else None
        evaluated: pulumi.Output[Evaluated] | Evaluated = (
            resolver if resolver is not None else (raw, sensitive)
        )
        opts = pulumi.ResourceOptions(
            depends_on=[self.resources[a] for a in item.depends_on if a in self.resources],
            ignore_changes=item.ignore_changes or None,
        )
        checked: Any = None  # a dynamic resource's checked inputs are computed when recording
        if item.hook is not None:
            checked, attrs = self._native(item, raw, evaluated, opts)
        else:
            attrs = self._dynamic(item, self._wire(raw, sensitive, resolver), opts)
        self.attrs[change.address] = attrs
        pending: dict[str, pulumi.Output[Any]] = {"attrs": attrs}
        if isinstance(evaluated, pulumi.Output):
            pending["evaluated"] = evaluated
        if isinstance(checked, pulumi.Output):
            pending["checked"] = checked
        pulumi.Output.all(**pending).apply(partial(self._record, item, evaluated, checked))

    def _dynamic(
        self, item: Declared, inputs: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> pulumi.Output[dict[str, Any]]:
        change = item.change
        rtype = self.spec.base.registry.get(change.type)
        assert rtype is not None
        names = sorted(attribute_names(rtype.spec, rtype.outputs) - {"id", "urn"})
        resource = OpspecResource(item.provider, change.address, inputs, names, opts)
        self.resources[change.address] = resource
        urn = f"{self.urn_prefix}{DYNAMIC_TYPE}::{change.address}"
        self.spec.sink.register_urn(urn, change.address)
        return resource.attributes()

    def _native(
        self,
        item: Declared,
        raw: dict[str, Any],
        evaluated: pulumi.Output[Evaluated] | Evaluated,
        opts: pulumi.ResourceOptions,
    ) -> tuple[Any, pulumi.Output[dict[str, Any]]]:
        change = item.change
        assert item.hook is not None
        component_type = COMPONENT_PREFIX + change.type
        component = pulumi.ComponentResource(component_type, change.address, None, opts)
        self.resources[change.address] = component
        self.spec.sink.register_urn(
            f"{self.urn_prefix}{component_type}::{change.address}", change.address
        )
        if isinstance(evaluated, tuple):
            checked: Any = _checked(item, evaluated)
            hook_inputs: dict[str, Any] = dict(checked)
        else:
            checked = evaluated.apply(partial(_checked, item))
            hook_inputs = _mixed_inputs(change, raw, checked)
        child_opts = pulumi.ResourceOptions(parent=component, depends_on=opts.depends_on)
        extra = item.hook.pulumi_resources(change.address, hook_inputs, child_opts)
        component.register_outputs({})
        extra_out: pulumi.Output[Any] = (
            pulumi.Output.all(**extra) if extra else pulumi.Output.from_input({})
        )
        attrs = pulumi.Output.all(pulumi.Output.from_input(checked), extra_out)
        return checked, attrs.apply(lambda pair: denormalize_floats({**pair[0], **pair[1]}))

    def _record(
        self, item: Declared, evaluated: Any, checked: Any, resolved: Mapping[str, Any]
    ) -> None:
        evaluated = resolved.get("evaluated", evaluated)
        checked = resolved.get("checked", checked)
        if checked is None:
            checked = _checked(item, evaluated)
        sensitive = evaluated[1]
        self.spec.sink.record(item.change, dict(checked), dict(resolved["attrs"]), list(sensitive))

    # -- root outputs ------------------------------------------------------------------------

    def _export_outputs(self) -> None:
        if not self.spec.outputs:
            return
        gathered: pulumi.Output[Any] = (
            pulumi.Output.all(**self.attrs) if self.attrs else pulumi.Output.from_input({})
        )
        for name, block in sorted(self.spec.outputs.items()):
            value = gathered.apply(partial(self._output_value, block.spec.value))
            pulumi.export(name, pulumi.Output.secret(value) if block.spec.sensitive else value)

    def _output_value(self, expression: Any, resolved: Mapping[str, Any]) -> Any:
        base = self.spec.base
        upstream = {a: (denormalize_floats(v), base.resources[a][1]) for a, v in resolved.items()}
        value = evaluate_value(expression, base.values(upstream).scope()).value
        return None if contains_unknown(value) else value


def _input_at(key: str, evaluated: Evaluated) -> Any:
    return evaluated[0].get(key)


def _checked(item: Declared, evaluated: Evaluated) -> dict[str, Any]:
    """The provider's checked inputs, as the local executor records them (check is pure)."""
    result = item.provider.check(dict(item.prior_inputs), dict(evaluated[0]))
    if result.failures:
        reasons = "; ".join(f"{f.property}: {f.reason}" for f in result.failures)
        raise OpspecError(f"{item.change.address}: invalid inputs: {reasons}")
    return dict(result.inputs)


def _mixed_inputs(
    change: ResourceChange, raw: dict[str, Any], checked: pulumi.Output[dict[str, Any]]
) -> dict[str, Any]:
    """Checked inputs for a native hook: plan-time values where known, Outputs elsewhere."""
    after = {k: v for k, v in (change.after or {}).items() if k != "id"}
    keys = sorted(set(after) | set(raw))
    return {
        key: after[key]
        if key in after and not contains_unknown(after[key])
        else checked.apply(partial(_get, key))
        for key in keys
    }


def _get(key: str, values: Mapping[str, Any]) -> Any:
    return values.get(key)
