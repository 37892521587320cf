"""YAML with positions: mappings and sequences that remember where each node was written.

PyYAML's C parser builds the node tree; a small constructor turns it into :class:`YamlMap` and
:class:`YamlList`, plain ``dict``/``list`` subclasses that carry the 1-based line and column of
every key and value, so any path into a document can be mapped back to ``file:line:col``.
Duplicate keys, which plain YAML loaders silently overwrite, are reported, and what a document
may hold is bounded (:mod:`engine.config.yamlvalues`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from engine.config import yamlvalues
from engine.config.yamlvalues import YamlError as YamlError

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


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _mark(node: yaml.Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _PosLoader(_Loader):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # Mapping node -> its own key nodes (by id), taken before PyYAML's merge (`<<: *base`)
        # rewrites the node's pairs in place, which it also does to a merged mapping.
        self.own_keys: dict[int, set[int]] = {}

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        own = {id(key) for key, _ in node.value if key.tag != _MERGE_TAG}
        self.own_keys.setdefault(id(node), own)
        super().flatten_mapping(node)


def _construct_map(loader: _PosLoader, node: yaml.MappingNode) -> YamlMap:
    yamlvalues.expect_node(node, yaml.MappingNode)
    # Once flattened, the pairs merged in (`<<: *base`) come first and the mapping's own after
    # them: an own key replaces a merged one (`{<<: *b, x: 2}`), as YAML's merge key says, and
    # only an own key written twice is a duplicate.
    loader.flatten_mapping(node)
    own = loader.own_keys[id(node)]
    own_keys: set[Any] = set()
    out = YamlMap()
    out.pos = _mark(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            line, col = _mark(key_node)
            raise YamlError("mapping keys must be scalars", line, col)
        if key in own_keys:
            line, col = _mark(key_node)
            first = out.key_pos[key]
            raise YamlError(
                f"duplicate key {key!r}", line, col, f"first defined at line {first[0]}"
            )
        if id(key_node) in own:
            own_keys.add(key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_pos[key] = _mark(key_node)
        out.value_pos[key] = _mark(value_node)
    return out


def _construct_seq(loader: _PosLoader, node: yaml.SequenceNode) -> YamlList:
    yamlvalues.expect_node(node, yaml.SequenceNode)
    out = YamlList()
    out.pos = _mark(node)
    for item in node.value:
        out.append(loader.construct_object(item, deep=True))
        out.item_pos.append(_mark(item))
    return out


def _construct_set(loader: _PosLoader, node: yaml.MappingNode) -> YamlList:
    """A ``!!set`` is the list of its members in the order written (a Python set's order
    changes from run to run, which would make every plan see a change)."""
    yamlvalues.expect_node(node, yaml.MappingNode)
    out = YamlList()
    out.pos = _mark(node)
    for key_node, _ in node.value:
        out.append(loader.construct_object(key_node, deep=True))
        out.item_pos.append(_mark(key_node))
    return out


_PosLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_PosLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)
_PosLoader.add_constructor("tag:yaml.org,2002:set", _construct_set)
yamlvalues.install(_PosLoader)


def _slow(text: str) -> Any:
    """The full path: PyYAML's node tree, checked against the bounds before it is built."""
    yamlvalues.check_event_nesting(yaml.parse(text, Loader=_Loader))
    loader = _PosLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        yamlvalues.check_node_graph(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


# Scalars the fast path builds itself; any other tag (merge keys, `=`) takes the full path.
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")
)
_RESOLVED_FIRST = frozenset(_Loader.yaml_implicit_resolvers)
_FALLBACK = object()


def _fast(text: str) -> Any:
    """Build the document straight from the C parser's events.

    The common document (no anchors, aliases, explicit tags, merge keys or complex keys) is
    built without PyYAML's node tree and generic constructor, at a third of the cost. Anything
    else returns ``_FALLBACK`` and takes the full path, so the result is always the same.
    """
    loader = _PosLoader(text)
    try:
        return _build(loader)
    finally:
        loader.dispose()


def _build(loader: _PosLoader) -> Any:
    loader.get_event()  # StreamStart
    if type(loader.get_event()) is yaml.StreamEndEvent:  # else DocumentStart
        return None
    return _build_document(loader)


def _build_document(loader: _PosLoader) -> Any:
    """The document whose DocumentStart was read, or ``_FALLBACK``.

    Longer than the rest on purpose: this loop runs once per event of every spec file (ten
    events a resource), so what every event does stays inline, on local names; only the
    rarer steps are functions (:func:`_typed_scalar`, :func:`_open_container`).
    """
    get = loader.get_event
    resolve = loader.resolve
    tags: dict[str, str] = {}  # plain scalar -> resolved tag (keys repeat a lot)
    scalar_event, mapping_end, sequence_end = (
        yaml.ScalarEvent,
        yaml.MappingEndEvent,
        yaml.SequenceEndEvent,
    )
    resolved_first, yaml_list = _RESOLVED_FIRST, YamlList
    root: Any = _FALLBACK
    # Open containers; for a mapping, the key waiting for its value (or _FALLBACK for none).
    stack: list[Any] = []
    keys: list[Any] = []
    key_marks: list[Pos] = []
    while True:
        event = get()
        cls = type(event)
        if cls is scalar_event:
            if event.anchor is not None:
                return _FALLBACK
            value: Any = event.value
            tag = event.tag
            if tag is None and event.implicit[0] and value[:1] in resolved_first:
                tag = tags.get(value)
                if tag is None:
                    tag = tags[value] = resolve(yaml.ScalarNode, value, (True, False))
                if tag != _STR:
                    value = _typed_scalar(loader, event, tag)
                    if value is _FALLBACK:
                        return _FALLBACK
            elif tag is not None:
                return _FALLBACK
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
        elif cls is mapping_end or cls is sequence_end:
            value = stack.pop()  # a finished container: placed below like a scalar
            keys.pop()
            key_marks.pop()
            pos = value.pos
        elif cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
            if not _open_container(event, stack, keys, key_marks):
                return _FALLBACK
            continue
        elif cls is yaml.DocumentEndEvent:
            if type(get()) is not yaml.StreamEndEvent:
                return _FALLBACK  # a second document: the full path reports it
            return root
        else:  # an alias
            return _FALLBACK
        if not stack:
            root = value
            continue
        parent = stack[-1]
        if type(parent) is yaml_list:
            parent.append(value)
            parent.item_pos.append(pos)
            continue
        key = keys[-1]
        if key is _FALLBACK:
            if value in parent:
                first = parent.key_pos[value]
                raise YamlError(
                    f"duplicate key {value!r}", pos[0], pos[1], f"first defined at line {first[0]}"
                )
            keys[-1] = value
            key_marks[-1] = pos
        else:
            parent[key] = value
            parent.key_pos[key] = key_marks[-1]
            parent.value_pos[key] = pos
            keys[-1] = _FALLBACK


def _typed_scalar(loader: _PosLoader, event: Any, tag: str) -> Any:
    """A plain scalar whose tag is not ``str``: its value, or ``_FALLBACK`` for a tag the fast
    path does not build. (Events are ``Any`` here as in the loop: the C parser's marks are not
    the classes PyYAML's stubs name.)"""
    if tag not in _SCALAR_TAGS:
        return _FALLBACK
    value: str = event.value
    if (
        tag == _INT
        and len(value) < 19  # fits in 64 bits; longer ones are range-checked
        and value.isdigit()
        and (value[0] != "0" or value == "0")
    ):
        return int(value)  # plain decimal (a leading 0 means octal in YAML 1.1)
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark)
    return loader.yaml_constructors[tag](loader, node)


def _open_container(event: Any, stack: list[Any], keys: list[Any], key_marks: list[Pos]) -> bool:
    """Push a new mapping or sequence; False when the fast path cannot build it (an anchor, a
    tag, or a complex key)."""
    if event.anchor is not None or event.tag is not None:
        return False
    if stack and type(stack[-1]) is YamlMap and keys[-1] is _FALLBACK:
        return False  # a complex key: the full path reports it
    mark = event.start_mark
    if len(stack) == yamlvalues.MAX_NESTING:
        raise yamlvalues.too_deep(mark)
    container: Any = YamlMap() if type(event) is yaml.MappingStartEvent else YamlList()
    container.pos = (mark.line + 1, mark.column + 1)
    stack.append(container)
    keys.append(_FALLBACK)
    key_marks.append((0, 0))
    return True


def parse(text: str) -> Any:
    """Parse one YAML document; raise :class:`YamlError` with a position on failure."""
    try:
        doc = _fast(text)
        return _slow(text) if doc is _FALLBACK else doc
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
    except yaml.reader.ReaderError as exc:
        line, col = _reader_position(text, exc.position)
        raise YamlError(
            f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason})",
            line,
            col,
            'Write control characters as escapes inside double quotes, e.g. "\\t".',
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 1, 1) from None


def _reader_position(text: str, offset: int) -> Pos:
    """Line and column of a reader error's offset."""
    if _Loader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, PyYAML characters
        offset = len(text.encode()[:offset].decode(errors="ignore"))
    before = text[:offset]
    return before.count("\n") + 1, offset - before.rfind("\n")


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
