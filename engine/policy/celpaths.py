"""Which parts of the plan a CEL expression reads, and nothing more converted to CEL values.

cel-python evaluates an expression in tens of microseconds but converting a whole resource
change to CEL values costs more than that, and a 10,000-resource plan must be checked in well
under a second. CEL has no side effects and reads its inputs only through identifiers, field
selections, indexing, functions and macros, so the result of an expression is a function of the
parts of its variables it can reach. :func:`access_paths` finds those parts in the parsed
expression (conservatively: anything used other than by field selection is taken whole), and
:func:`project` keeps only them. Equal projections give equal results, which lets the rule
evaluate each distinct projection once (see :mod:`engine.policy.cel`).

Paths are field names, with ``*`` for "every element" when a macro (``all``, ``exists``,
``exists_one``, ``filter``, ``map``) iterates over a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree

MACROS = frozenset({"all", "exists", "exists_one", "filter", "map"})
EVERY = "*"

# A variable of an expression resolves to a root value and a path inside it
# (``after`` is ``resource.change.after``); ``None`` marks a macro variable bound to a value
# that is not part of any root (e.g. ``[1, 2].exists(x, x > 1)``).
Binding = tuple[str, tuple[str, ...]] | None


@dataclass(slots=True)
class Trie:
    """The parts of a value an expression reads: whole (``full``) or some of its children."""

    full: bool = False
    children: dict[str, Trie] = field(default_factory=dict)

    def add(self, path: tuple[str, ...], *, whole: bool) -> None:
        node = self
        for part in path:
            if node.full:
                return
            node = node.children.setdefault(part, Trie())
        if whole:
            node.full = True
            node.children.clear()

    def merge(self, other: Trie) -> None:
        if self.full:
            return
        if other.full:
            self.full = True
            self.children.clear()
            return
        for key, sub in other.children.items():
            self.children.setdefault(key, Trie()).merge(sub)


def project(value: Any, trie: Trie) -> Any:
    """The part of ``value`` that ``trie`` reads (same shape, other keys left out)."""
    if trie.full:
        return value
    if isinstance(value, dict):
        if EVERY in trie.children:  # a macro over a map iterates its keys: keep it whole
            return value
        return {k: project(value[k], sub) for k, sub in trie.children.items() if k in value}
    if isinstance(value, list):
        every = trie.children.get(EVERY)
        if every is None:  # selecting a field of a list is an error either way: keep it exact
            return value
        return [project(item, every) for item in value]
    return value


def _chain(node: Tree[Any] | Token) -> tuple[str, tuple[str, ...]] | None:
    """``(identifier, fields)`` when ``node`` is a pure selection chain like ``a.b.c``."""
    fields: list[str] = []
    current: Any = node
    while isinstance(current, Tree):
        data = current.data
        if data in ("member", "primary") and len(current.children) == 1:
            current = current.children[0]
        elif data == "member_dot" and len(current.children) == 2:
            fields.append(str(current.children[1]))
            current = current.children[0]
        elif data == "ident" and len(current.children) == 1:
            return str(current.children[0]), tuple(reversed(fields))
        else:
            return None
    return None


def _bound_name(node: Any) -> str | None:
    found = _chain(node) if isinstance(node, Tree) else None
    if found is None:
        # The macro variable is an expression tree whose only leaf is the identifier.
        for sub in node.iter_subtrees() if isinstance(node, Tree) else ():
            if sub.data == "ident":
                return str(sub.children[0])
        return None
    name, fields = found
    return None if fields else name


class _Collector:
    def __init__(self, roots: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        self.roots = roots
        self.tries: dict[str, Trie] = {}

    def _resolve(self, name: str, scope: dict[str, Binding]) -> Binding:
        if name in scope:
            return scope[name]
        return self.roots.get(name)

    def _record(
        self, name: str, fields: tuple[str, ...], scope: dict[str, Binding], *, whole: bool = True
    ) -> Binding:
        binding = self._resolve(name, scope)
        if binding is None:
            return None
        root, base = binding
        self.tries.setdefault(root, Trie()).add((*base, *fields), whole=whole)
        return root, (*base, *fields)

    def visit(self, node: Any, scope: dict[str, Binding]) -> None:
        if not isinstance(node, Tree):
            return
        if node.data in ("member", "member_dot", "primary", "ident"):
            chain = _chain(node)
            if chain is not None:
                self._record(chain[0], chain[1], scope)
                return
        if node.data == "member_dot_arg":
            self._method(node, scope)
            return
        if node.data == "dot_ident":  # `.name` always names the root variable, whole
            self._record(str(node.children[0]), (), {})
            return
        for child in node.children:
            self.visit(child, scope)

    def _method(self, node: Tree[Any], scope: dict[str, Binding]) -> None:
        """A method call or macro whose value is used as is (not as another macro's list)."""
        target, name, exprs = _call_parts(node)
        if _is_macro(name, exprs):
            collection = self._macro(node, scope)
            if name == "filter" and collection is not None:
                # The filtered elements themselves are the value here: keep them whole.
                self._add(collection, EVERY, whole=True)
            return
        if name == "size" and not exprs and _as_call(target) is not None:
            self._collection(target, scope)  # the length of a filtered list
            return
        chain = _chain(target)
        if chain is not None:
            self._record(chain[0], chain[1], scope)
        else:
            self.visit(target, scope)
        for expr in exprs:
            self.visit(expr, scope)

    def _add(self, binding: tuple[str, tuple[str, ...]], *more: str, whole: bool) -> None:
        root, path = binding
        self.tries.setdefault(root, Trie()).add((*path, *more), whole=whole)

    def _macro(self, node: Tree[Any], scope: dict[str, Binding]) -> Binding:
        """Record what a macro reads; return the binding of the list it iterates, if known."""
        target, _, exprs = _call_parts(node)
        collection = self._collection(target, scope)
        element: Binding = None
        if collection is not None:
            self._add(collection, EVERY, whole=False)  # keeps the list's length
            element = (collection[0], (*collection[1], EVERY))
        var = _bound_name(exprs[0])
        inner = {**scope, var: element} if var is not None else scope
        for expr in exprs[1:]:
            self.visit(expr, inner)
        return collection

    def _collection(self, target: Any, scope: dict[str, Binding]) -> Binding:
        """Record the list a macro iterates: a selection chain, or a filter of one."""
        chain = _chain(target)
        if chain is not None:
            return self._record(chain[0], chain[1], scope, whole=False)
        call = _as_call(target)
        if call is not None and _call_parts(call)[1] == "filter":
            return self._macro(call, scope)
        self.visit(target, scope)
        return None


def _call_parts(node: Tree[Any]) -> tuple[Any, str, list[Any]]:
    exprs = list(node.children[2].children) if len(node.children) > 2 else []
    return node.children[0], str(node.children[1]), exprs


def _is_macro(name: str, exprs: list[Any]) -> bool:
    return name in MACROS and len(exprs) >= 2 and _bound_name(exprs[0]) is not None


def _as_call(node: Any) -> Tree[Any] | None:
    """The macro call ``node`` stands for (through ``member`` wrappers), if it is one."""
    while isinstance(node, Tree) and node.data == "member" and len(node.children) == 1:
        node = node.children[0]
    is_call = isinstance(node, Tree) and node.data == "member_dot_arg"
    return node if is_call and _is_macro(*_call_parts(node)[1:]) else None


def access_paths(ast: Tree[Any], roots: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, Trie]:
    """Per root value, the parts that the expression ``ast`` can read.

    ``roots`` maps each variable to the root value it reads and the path of the variable inside
    it, e.g. ``{"after": ("resource", ("change", "after"))}``. A root absent from the result is
    not read at all.
    """
    collector = _Collector(roots)
    collector.visit(ast, {})
    return collector.tries
