"""Static checks of references, before anything is evaluated, and the edges they make."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from engine.config.model import Config
from engine.config.validation import did_you_mean
from engine.diagnostics import Diagnostic, error
from engine.expr.evaluate import PathExprError, Site, refs_in
from engine.expr.sandbox import environment
from engine.expr.template import PathPart, Ref
from engine.registry import Registry
from specs.base import attribute_names


@dataclass
class NodeRefs:
    """What one configuration node (variable, local, resource, output) depends on."""

    node: str
    dependencies: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@cache
def _jinja_names() -> frozenset[str]:
    return frozenset(environment().globals)


def check_refs(
    node: str,
    value: Any,
    config: Config,
    registry: Registry,
    pos_of: Any,
    *,
    allow_each: bool = False,
    address: str | None = None,
    sites: list[Site] | None = None,
) -> NodeRefs:
    """Validate every reference inside ``value``; ``pos_of(path)`` positions a diagnostic."""
    out = NodeRefs(node)
    try:
        found = refs_in(value, sites)
    except PathExprError as exc:
        out.diagnostics.append(error(str(exc), "", pos_of(exc.path), address))
        return out
    jinja = _jinja_names()
    for ref, path in found:
        problem = _check_one(ref, config, registry, allow_each, jinja, out)
        if problem:
            summary, detail = problem
            out.diagnostics.append(error(summary, detail, pos_of(path), address))
    return out


Problem = tuple[str, str]  # a diagnostic's summary and detail


def _check_one(
    ref: Ref,
    config: Config,
    registry: Registry,
    allow_each: bool,
    jinja: frozenset[str],
    out: NodeRefs,
) -> Problem | None:
    """What is wrong with one reference, if anything; the node it depends on joins ``out``."""
    root, path = ref.root, ref.path
    if root == "var":
        return _check_declared("variable", root, path, config.variables)
    if root == "local":
        problem = _check_declared("local", root, path, config.locals)
        if problem is None and path:
            out.dependencies.add(f"local.{path[0]}")
        return problem
    if root == "each":
        return _check_each(path, allow_each)
    types = config.resource_types
    if root not in types:
        if root in jinja:
            return None
        hint = did_you_mean(root, [*types, "var", "local", "each"]).strip()
        return (f"reference to unknown name `{root}`", hint)
    return _check_resource(root, path, config, registry, out)


def _check_declared(
    kind: str, root: str, path: tuple[PathPart, ...], declared: Collection[str]
) -> Problem | None:
    """``var.NAME`` or ``local.NAME``: the name must be declared."""
    if not path:
        return None
    name = str(path[0])
    if name in declared:
        return None
    return (
        f"reference to undeclared {kind} `{root}.{name}`",
        did_you_mean(name, declared).strip(),
    )


def _check_each(path: tuple[PathPart, ...], allow_each: bool) -> Problem | None:
    if not allow_each:
        return ("`each` is only available in resources with for_each", "")
    if path and path[0] not in ("key", "value"):
        return (f"`each` has no attribute `{path[0]}`", "Use each.key or each.value.")
    return None


def _check_resource(
    root: str, path: tuple[PathPart, ...], config: Config, registry: Registry, out: NodeRefs
) -> Problem | None:
    """``TYPE.NAME[.KEY].ATTRIBUTE``: the block must be declared, the attribute exist."""
    if not path:
        return (f"`{root}` needs a resource name: write `{root}.NAME.attribute`", "")
    block_addr = f"{root}.{path[0]}"
    block = config.resources.get(block_addr)
    if block is None:
        names = [r.addr.name for r in config.resources.values() if r.addr.type == root]
        return (
            f"reference to undeclared resource `{block_addr}`",
            did_you_mean(str(path[0]), names).strip(),
        )
    out.dependencies.add(block_addr)
    attr_path = path[1:]
    if block.has_for_each and attr_path:
        attr_path = attr_path[1:]  # skip the instance key
    if not attr_path:
        return None
    rtype = registry.get(root)
    if rtype is None:
        return None  # the unknown type itself is reported on the block
    attr = attr_path[0]
    attrs = attribute_names(rtype.spec, rtype.outputs)
    if attr not in attrs:
        return (
            f"resource type `{root}` has no attribute `{attr}`",
            did_you_mean(str(attr), attrs).strip(),
        )
    return None
