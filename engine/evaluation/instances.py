"""Expanding a resource block into instances (``for_each``) and evaluating their inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine import redaction
from engine.addrs import instance_address
from engine.config.model import ResourceBlock
from engine.diagnostics import Diagnostic, error
from engine.evaluation.scope import Values
from engine.expr.evaluate import PathExprError, evaluate_value
from engine.expr.template import ExprError
from engine.expr.unknown import contains_unknown
from engine.plans.values import PathT, get_path
from engine.registry import ResourceType
from specs.base import derived_attributes, sensitive_fields


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
    # Secret paths inside `each`: ("value",) or deeper, from a sensitive for_each value.
    each_sensitive: tuple[PathT, ...] = ()


def _for_each_error(block: ResourceBlock, summary: str, detail: str = "") -> BlockError:
    pos = block.meta_pos.get("for_each", block.pos)
    return BlockError([error(summary, detail, pos, block.addr.block)])


def _sensitive_keys_error(block: ResourceBlock) -> BlockError:
    return _for_each_error(
        block,
        "sensitive values cannot be used as for_each keys",
        "Instance keys appear in addresses, plans and state in plain text. Sensitive values, "
        "or values derived from them, may only be map values (read as each.value): write the "
        "map's keys in the spec.",
    )


def _shown(value: Any, secret: bool) -> str:
    return f"{type(value).__name__} (sensitive)" if secret else f"{type(value).__name__} {value!r}"


def _for_each_items(
    block: ResourceBlock, raw: Any, sensitive: list[PathT]
) -> list[tuple[str, Any, tuple[PathT, ...]]]:
    """``(key, value, secret paths under each.value)`` per element of an evaluated for_each."""
    if isinstance(raw, dict):
        if () in sensitive:
            raise _sensitive_keys_error(block)
        return [
            (str(k), v, tuple(("value", *p[1:]) for p in sensitive if p[0] == k))
            for k, v in raw.items()
        ]
    if not isinstance(raw, list):
        raise _for_each_error(
            block, "for_each must be a list or a map", "got " + _shown(raw, bool(sensitive))
        )
    if any(not p or isinstance(p[0], int) for p in sensitive):
        raise _sensitive_keys_error(block)
    items: list[tuple[str, Any, tuple[PathT, ...]]] = []
    seen: set[str] = set()
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise _for_each_error(
                block,
                "for_each list items must be strings or integers",
                "got " + _shown(item, False),
            )
        key = str(item)
        if key in seen:
            raise _for_each_error(block, f"duplicate for_each key {key!r}")
        seen.add(key)
        items.append((key, item, ()))
    return items


def _evaluate_for_each(block: ResourceBlock, values: Values) -> tuple[Any, list[PathT]]:
    try:
        result = evaluate_value(block.for_each, values.scope())
    except ExprError as exc:
        raise _for_each_error(block, str(exc)) from None
    return result.value, list(result.sensitive_paths)


def expand(block: ResourceBlock, values: Values) -> list[Instance]:
    """The instances of ``block``: one, or one per ``for_each`` element, sorted by key."""
    if not block.has_for_each:
        return [Instance(block.addr.block, None, None)]
    raw, sensitive = _evaluate_for_each(block, values)
    if contains_unknown(raw):
        raise _for_each_error(
            block,
            "for_each depends on values known only after apply",
            "Instance keys must be known at plan time: use variables or locals.",
        )
    items = _for_each_items(block, raw, sensitive)
    return [
        Instance(instance_address(block.addr.block, k), k, {"key": k, "value": v}, secret)
        for k, v, secret in sorted(items, key=lambda item: item[0])
    ]


def instance_for(block: ResourceBlock, key: str | None, values: Values) -> Instance:
    """The planned instance ``key`` of ``block`` again, once its dependencies are final
    (apply re-evaluates ``for_each`` to give ``each.value`` its final value)."""
    address = instance_address(block.addr.block, key)
    if not block.has_for_each:
        return Instance(address, None, None)
    raw, sensitive = _evaluate_for_each(block, values)
    for k, v, secret in _for_each_items(block, raw, sensitive):
        if k == key:
            return Instance(address, key, {"key": key, "value": v}, secret)
    raise _for_each_error(block, f"for_each no longer has the key {key!r} planned for {address}")


def evaluate_inputs(
    block: ResourceBlock, instance: Instance, values: Values, rtype: ResourceType
) -> tuple[dict[str, Any], list[PathT]]:
    """The instance's inputs (unknowns kept) and the paths of secrets among them: what
    expressions made sensitive, the type's sensitive fields, and the attributes derived from
    either (a hash of a secret content, an id made of a secret path)."""
    scope = values.scope(instance.each, instance.each_sensitive)
    try:
        result = evaluate_value(block.body, scope, sites=block.sites)
    except PathExprError as exc:
        raise BlockError([error(str(exc), "", block.pos_of(exc.path), instance.address)]) from None
    inputs: dict[str, Any] = result.value
    sensitive = list(result.sensitive_paths)
    sensitive.extend(
        (f,) for f in sensitive_fields(rtype.spec) if f in inputs and (f,) not in sensitive
    )
    if sensitive:
        secret_fields = {p[0] for p in sensitive if p}
        for attribute, sources in derived_attributes(rtype.outputs):
            if not sources.isdisjoint(secret_fields) and (attribute,) not in sensitive:
                sensitive.append((attribute,))
        for path in sensitive:
            redaction.remember(get_path(inputs, path) if path else inputs)
    return inputs, sensitive
