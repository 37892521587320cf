"""Helpers over nested values: paths, masking of secrets, and Terraform's sensitivity trees."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from engine.expr.unknown import UNKNOWN
from engine.placeholders import KNOWN_AFTER_APPLY, SENSITIVE

PathT = tuple[str | int, ...]


def get_path(value: Any, path: PathT) -> Any:
    cur = value
    for p in path:
        if isinstance(cur, dict) and p in cur:
            cur = cur[p]
        elif isinstance(cur, list) and isinstance(p, int) and 0 <= p < len(cur):
            cur = cur[p]
        else:
            return None
    return cur


def set_path(value: Any, path: PathT, new: Any) -> bool:
    """Replace the value at ``path`` in place; False when the path does not exist."""
    if not path:
        return False
    parent = get_path(value, path[:-1])
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        parent[last] = new
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        parent[last] = new
        return True
    return False


def mask_sensitive(value: Any, paths: Iterable[PathT]) -> Any:
    """A copy of ``value`` with the values at ``paths`` replaced by "(sensitive)"."""
    paths = list(paths)
    if value is None or not paths:
        return value
    if () in paths:
        return SENSITIVE
    out = copy.deepcopy(value)
    for p in paths:
        if get_path(out, p) is not None:
            set_path(out, p, SENSITIVE)
    return out


def sensitive_tree(paths: Iterable[PathT]) -> Any:
    """Terraform's ``*_sensitive`` shape: ``true`` at each sensitive path, objects around."""
    tree: dict[Any, Any] = {}
    for path in paths:
        if not path:
            return True
        node = tree
        for p in path[:-1]:
            nxt = node.get(str(p))
            if not isinstance(nxt, dict):
                nxt = {}
                node[str(p)] = nxt
            node = nxt
        node[str(path[-1])] = True
    return tree


def is_under(path: PathT, prefixes: Iterable[PathT]) -> bool:
    return any(path[: len(p)] == p for p in prefixes)


def with_unknowns_shown(value: Any) -> Any:
    """``value`` with every unknown replaced by "(known after apply)", for display."""
    if isinstance(value, str):
        return KNOWN_AFTER_APPLY if value == UNKNOWN else value
    if isinstance(value, dict):
        return {k: with_unknowns_shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_unknowns_shown(v) for v in value]
    return value
