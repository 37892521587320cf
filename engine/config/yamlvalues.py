"""What a spec document may hold: bounded nesting and aliases, and values that JSON keeps.

A spec's values travel into state (JSON in SQLite), plan files, Pulumi's wire format and every
output format, so the loader builds only what all of those hold, and refuses the rest at its
``file:line:col`` instead of failing somewhere later (never quoting the value, which may be a
secret):

- integers fit in 64 bits (past that no consumer keeps them exactly, and Python refuses to turn
  an integer of more than 4,300 digits into text);
- floats are finite (``.nan``, ``.inf`` and ``1.0e+400`` have no JSON form);
- a timestamp stays the text it was written as (``2024-05-01`` is the string "2024-05-01");
- ``!!binary``, ``!!omap`` and ``!!pairs`` are refused (``!!set`` becomes a list, in yamlpos).

A few bytes of YAML can describe an enormous document: aliases of aliases (a "billion laughs")
or thousands of nested brackets. A document nests at most :data:`MAX_NESTING` levels and its
aliases add at most :data:`MAX_ALIAS_NODES` nodes; both are checked before any value is built.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

# Far deeper than any spec (a resource's arguments start at level 3), and shallow enough that
# every recursive walk over values (validation, expressions, JSON, diff) stays far from
# Python's recursion limit.
MAX_NESTING = 100
# What aliases may add to a document: as many nodes as a few megabytes of YAML written out.
MAX_ALIAS_NODES = 200_000

_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1
_UNSUPPORTED_TAGS = ("binary", "omap", "pairs")


class YamlError(Exception):
    """A document is not valid YAML or breaks our rules (duplicate keys, the bounds above)."""

    def __init__(self, message: str, line: int, col: int, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.detail = detail


def _short(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def error_at(mark: Any, message: str, detail: str = "") -> YamlError:
    return YamlError(message, mark.line + 1, mark.column + 1, detail)


def construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    try:
        value: int = SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # `!!int x`, or more digits than Python turns into an integer
        value = _INT_MAX + 1
    if not _INT_MIN <= value <= _INT_MAX:
        raise error_at(
            node.start_mark,
            f"a value of {len(node.value)} characters is not an integer of 64 bits",
            "Numbers in specs fit in 64 bits; quote it to write a string.",
        )
    return value


def construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    try:
        value: bool = SafeConstructor.construct_yaml_bool(loader, node)
    except KeyError:  # `!!bool x`
        raise error_at(node.start_mark, "a !!bool value that is not true or false") from None
    return value


def construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    try:
        value: float = SafeConstructor.construct_yaml_float(loader, node)
    except ValueError:  # `!!float x`
        value = math.nan
    if not math.isfinite(value):
        raise error_at(
            node.start_mark,
            "a value that is not a finite number (.nan, .inf, too large, or not a number)",
            "State and plans are JSON, which has no NaN or Infinity; quote it to write a string.",
        )
    return value


def construct_timestamp(loader: Any, node: yaml.ScalarNode) -> str:
    text: str = loader.construct_scalar(node)
    return text


def construct_unsupported(loader: Any, node: yaml.Node) -> None:
    raise error_at(
        node.start_mark,
        f"the tag {_short(node.tag)} is not supported",
        "Spec values are strings, numbers, booleans, null, lists and mappings.",
    )


def install(loader: type[SafeConstructor]) -> None:
    """Give ``loader`` the scalar constructors above."""
    loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
    loader.add_constructor("tag:yaml.org,2002:float", construct_float)
    loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    for name in _UNSUPPORTED_TAGS:
        loader.add_constructor(f"tag:yaml.org,2002:{name}", construct_unsupported)


def expect_node(node: yaml.Node, kind: type[yaml.Node]) -> None:
    """Refuse a container tag on the wrong kind of node (``!!map x``, ``!!seq {a: 1}``)."""
    if not isinstance(node, kind):
        what = "a mapping" if kind is yaml.MappingNode else "a list"
        raise error_at(node.start_mark, f"the tag {_short(node.tag)} needs {what} here")


def too_deep(mark: Any) -> YamlError:
    return error_at(
        mark,
        f"the document nests deeper than {MAX_NESTING} levels",
        "Specs are a few levels of mappings and lists; flatten the value.",
    )


def check_event_nesting(events: Iterable[yaml.Event]) -> None:
    """Refuse a document nested past MAX_NESTING (streamed: nothing deeper is built)."""
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise too_deep(event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def check_node_graph(root: yaml.Node) -> None:
    """Refuse a composed document whose aliases expand too far, nest too deep or loop.

    An alias is the very node it names, so the document is a graph; each node's expanded size
    and height are computed once, and every further reference charges its size to the budget.
    The walk's own depth is bounded by MAX_NESTING, so it recurses safely.
    """
    # id(node) -> (expanded nodes, levels of collections in it: 0 for a scalar)
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    added = 0

    def visit(node: yaml.Node, level: int) -> tuple[int, int]:
        """``level``: the nesting level ``node`` has if it is a collection (the root's is 1)."""
        nonlocal added
        key = id(node)
        known = sizes.get(key)
        if known is not None:  # a second reference to the same node: an alias
            if level - 1 + known[1] > MAX_NESTING:
                raise too_deep(node.start_mark)
            added += known[0]
            if added > MAX_ALIAS_NODES:
                raise error_at(
                    node.start_mark,
                    f"aliases expand the document past {MAX_ALIAS_NODES:,} nodes",
                    "Each alias repeats the whole node its anchor names, and aliases of "
                    "aliases multiply; write fewer levels of them.",
                )
            return known
        if not isinstance(node, yaml.CollectionNode):
            sizes[key] = (1, 0)
            return 1, 0
        if key in open_nodes:
            raise error_at(node.start_mark, "an alias refers to a node that contains it")
        if level > MAX_NESTING:
            raise too_deep(node.start_mark)
        open_nodes.add(key)
        children = (
            node.value
            if isinstance(node, yaml.SequenceNode)
            else [child for pair in node.value for child in pair]
        )
        size, levels = 1, 1
        for child in children:
            child_size, child_levels = visit(child, level + 1)
            size += child_size
            levels = max(levels, child_levels + 1)
        open_nodes.discard(key)
        sizes[key] = (size, levels)
        return size, levels

    visit(root, 1)
