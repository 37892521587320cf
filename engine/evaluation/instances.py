"""Expanding a resource block into instances (``for_each``) and evaluating their inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.addrs import instance_address
from engine.config.model import ResourceBlock
from engine.diagnostics import Diagnostic, error
from engine.evaluation.scope import Values
from engine.expr.evaluate import PathExprError, evaluate_value
from engine.expr.template import ExprError
from engine.expr.unknown import contains_unknown
from engine.plans.values import PathT


class BlockError(Exception):
    """A resource block (or instance) could not be evaluated; carries the diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.summary for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Instance:
    address: str
    key: str | None
    each: dict[str, Any] | None


def expand(block: ResourceBlock, values: Values) -> list[Instance]:
    """The instances of ``block``: one, or one per ``for_each`` element, sorted by key."""
    if not block.has_for_each:
        return [Instance(block.addr.block, None, None)]
    pos = block.meta_pos.get("for_each", block.pos)
    try:
        raw = evaluate_value(block.for_each, values.scope()).value
    except ExprError as exc:
        raise BlockError([error(str(exc), "", pos, block.addr.block)]) from None
    if contains_unknown(raw):
        raise BlockError(
            [
                error(
                    "for_each depends on values known only after apply",
                    "Instance keys must be known at plan time: use variables or locals.",
                    pos,
                    block.addr.block,
                )
            ]
        )
    items: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        items = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, list):
        seen: set[str] = set()
        for item in raw:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise BlockError(
                    [
                        error(
                            "for_each list items must be strings or integers",
                            f"got {type(item).__name__} {item!r}",
                            pos,
                            block.addr.block,
                        )
                    ]
                )
            key = str(item)
            if key in seen:
                raise BlockError(
                    [error(f"duplicate for_each key {key!r}", "", pos, block.addr.block)]
                )
            seen.add(key)
            items.append((key, item))
    else:
        raise BlockError(
            [
                error(
                    "for_each must be a list or a map",
                    f"got {type(raw).__name__} {raw!r}",
                    pos,
                    block.addr.block,
                )
            ]
        )
    return [
        Instance(instance_address(block.addr.block, k), k, {"key": k, "value": v})
        for k, v in sorted(items, key=lambda kv: kv[0])
    ]


def instance_for(block: ResourceBlock, key: str | None, values: Values) -> Instance:
    """The planned instance ``key`` of ``block`` again, once its dependencies are final
    (apply re-evaluates ``for_each`` to give ``each.value`` its final value)."""
    address = instance_address(block.addr.block, key)
    if not block.has_for_each:
        return Instance(address, None, None)
    for_each = evaluate_value(block.for_each, values.scope()).value
    if isinstance(for_each, dict):
        value = for_each[key]
    else:
        value = next(v for v in for_each if str(v) == key)
    return Instance(address, key, {"key": key, "value": value})


def evaluate_inputs(
    block: ResourceBlock, instance: Instance, values: Values, sensitive_fields: frozenset[str]
) -> tuple[dict[str, Any], list[PathT]]:
    """The instance's inputs (unknowns kept) and the paths of secrets among them."""
    try:
        result = evaluate_value(block.body, values.scope(instance.each), sites=block.sites)
    except PathExprError as exc:
        raise BlockError([error(str(exc), "", block.pos_of(exc.path), instance.address)]) from None
    inputs: dict[str, Any] = result.value
    sensitive = list(result.sensitive_paths)
    sensitive.extend((f,) for f in sensitive_fields if f in inputs and (f,) not in sensitive)
    return inputs, sensitive
