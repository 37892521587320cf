"""YAML with positions: mappings and sequences that remember where each node was written.

PyYAML's C parser builds the node tree; a small constructor turns it into :class:`YamlMap` and
:class:`YamlList`, plain ``dict``/``list`` subclasses that carry the 1-based line and column of
every key and value, so any path into a document can be mapped back to ``file:line:col``.
Duplicate keys, which plain YAML loaders silently overwrite, are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Pos = tuple[int, int]


class YamlMap(dict[Any, Any]):
    """A mapping with the position of itself, each key and each value."""

    __slots__ = ("key_pos", "pos", "value_pos")

    def __init__(self) -> None:
        super().__init__()
        self.pos: Pos = (0, 0)
        self.key_pos: dict[Any, Pos] = {}
        self.value_pos: dict[Any, Pos] = {}


class YamlList(list[Any]):
    """A sequence with the position of itself and each item."""

    __slots__ = ("item_pos", "pos")

    def __init__(self) -> None:
        super().__init__()
        self.pos: Pos = (0, 0)
        self.item_pos: list[Pos] = []


class YamlError(Exception):
    """A document is not valid YAML or breaks our rules (duplicate keys)."""

    def __init__(self, message: str, line: int, col: int, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.detail = detail


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _PosLoader(_Loader):  # type: ignore[misc, valid-type]
    pass


def _construct_map(loader: _PosLoader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    out = YamlMap()
    out.pos = _mark(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            line, col = _mark(key_node)
            raise YamlError("mapping keys must be scalars", line, col)
        if key in out:
            line, col = _mark(key_node)
            first = out.key_pos[key]
            raise YamlError(
                f"duplicate key {key!r}", line, col, f"first defined at line {first[0]}"
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_pos[key] = _mark(key_node)
        out.value_pos[key] = _mark(value_node)
    return out


def _construct_seq(loader: _PosLoader, node: yaml.SequenceNode) -> YamlList:
    out = YamlList()
    out.pos = _mark(node)
    for item in node.value:
        out.append(loader.construct_object(item, deep=True))
        out.item_pos.append(_mark(item))
    return out


_PosLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_PosLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def parse(text: str) -> Any:
    """Parse one YAML document; raise :class:`YamlError` with a position on failure."""
    try:
        return yaml.load(text, Loader=_PosLoader)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        detail = ""
        bad_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        if "${" in bad_line:
            detail = (
                'In YAML flow style a reference must be quoted: write {v: "${a.b.c}"} '
                "rather than {v: ${a.b.c}}."
            )
        raise YamlError(f"invalid YAML: {message}", line, col, detail) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1, 1) from None


def position(root: Any, path: Sequence[str | int]) -> Pos | None:
    """The position of the node at ``path`` under ``root``, or of its deepest known ancestor."""
    best: Pos | None = getattr(root, "pos", None)
    cur = root
    for part in path:
        if isinstance(cur, YamlMap) and part in cur:
            best = cur.value_pos.get(part, best)
            cur = cur[part]
        elif isinstance(cur, YamlList) and isinstance(part, int) and 0 <= part < len(cur):
            best = cur.item_pos[part]
            cur = cur[part]
        else:
            break
    return best


def key_position(root: Any, path: Sequence[str | int]) -> Pos | None:
    """Like :func:`position`, but for a mapping entry the position of its key."""
    if not path:
        return position(root, path)
    parent = root
    for part in path[:-1]:
        if isinstance(parent, dict | list):
            try:
                parent = parent[part]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                return position(root, path)
    last = path[-1]
    if isinstance(parent, YamlMap) and last in parent.key_pos:
        return parent.key_pos[last]
    return position(root, path)
