"""Parsing ``${...}`` templates and extracting the references they make.

A spec string is a sequence of literal text and expressions; ``$${`` writes a literal ``${``.
References are found statically, so the dependency graph is known before anything is
evaluated: plain references (``a.b["k"].c``) by a fast scanner, anything else by walking the
Jinja2 syntax tree of the expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import nodes

from engine.expr import limits
from engine.expr.errors import ExprError as ExprError
from engine.expr.sandbox import parse_expression

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference: its root name (``var``, ``local``, ``each`` or a resource type) and path."""

    root: str
    path: tuple[PathPart, ...]

    def __str__(self) -> str:
        out = self.root
        for p in self.path:
            out += (
                f'["{p}"]'
                if isinstance(p, str) and not p.isidentifier()
                else (f".{p}" if isinstance(p, str) else f"[{p}]")
            )
        return out


@dataclass(frozen=True, slots=True)
class Expr:
    source: str
    refs: tuple[Ref, ...]
    plain: Ref | None  # set when the expression is exactly one reference (the fast path)


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[str | Expr, ...]
    is_literal: bool
    # The expression when the string is exactly one ``${...}`` (it keeps its type).
    single: Expr | None
    refs: tuple[Ref, ...]

    @classmethod
    def of(cls, parts: tuple[str | Expr, ...]) -> Template:
        exprs = [p for p in parts if isinstance(p, Expr)]
        single = exprs[0] if len(parts) == 1 and exprs else None
        refs = tuple(r for e in exprs for r in e.refs)
        return cls(parts, not exprs, single, refs)


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_PLAIN_RE = re.compile(
    rf"^\s*({_IDENT})((?:\.{_IDENT}|\[\s*(?:\"[^\"\\]*\"|'[^'\\]*'|\d+)\s*\])*)\s*$"
)
_STEP_RE = re.compile(rf"\.({_IDENT})|\[\s*(?:\"([^\"\\]*)\"|'([^'\\]*)'|(\d+))\s*\]")


_SIMPLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def _plain_ref(source: str) -> Ref | None:
    stripped = source.strip()
    if stripped and _SIMPLE_CHARS.issuperset(stripped):
        # The common case, `a.b.c`: no regular expression needed.
        names = stripped.split(".")
        if all(n.isidentifier() for n in names):
            return Ref(names[0], tuple(names[1:]))
        return None
    m = _PLAIN_RE.match(source)
    if not m:
        return None
    path: list[PathPart] = []
    for step in _STEP_RE.finditer(m.group(2)):
        attr, dq, sq, num = step.groups()
        if attr is not None:
            path.append(attr)
        elif num is not None:
            path.append(int(num))
        else:
            path.append(dq if dq is not None else sq)
    return Ref(m.group(1), tuple(path))


def _chain(node: nodes.Node) -> list[PathPart] | None:
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _chain(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _chain(node.node)
        key = node.arg.value
        if inner is None or not isinstance(key, str | int):
            return inner
        return [*inner, key]
    return None


def _collect(node: nodes.Node, out: list[Ref]) -> None:
    chain = _chain(node)
    if chain is not None:
        root = chain[0]
        assert isinstance(root, str)
        out.append(Ref(root, tuple(chain[1:])))
        return
    if isinstance(node, nodes.Getitem | nodes.Getattr):
        # A dynamic subscript: the reference is the part before it.
        _collect(node.node, out)
        if isinstance(node, nodes.Getitem):
            _collect(node.arg, out)
        return
    for child in node.iter_child_nodes():
        _collect(child, out)


@lru_cache(maxsize=65536)
def _parse_expr(source: str) -> Expr:
    if not source.strip():
        raise ExprError("empty expression ${}")
    plain = _plain_ref(source) if len(source) <= limits.MAX_EXPRESSION_LENGTH else None
    if plain is not None:
        return Expr(source, (plain,), plain)
    tree = parse_expression(source)
    refs: list[Ref] = []
    _collect(tree, refs)
    return Expr(source, tuple(dict.fromkeys(refs)), None)


def _find_close(text: str, start: int) -> int:
    """Index of the ``}`` closing an expression that starts at ``start``."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise ExprError(f"unterminated expression: missing '}}' in {text!r}")


@lru_cache(maxsize=65536)
def parse_template(text: str) -> Template:
    if "${" not in text:
        return Template.of((text,))
    if text.startswith("${") and text.endswith("}") and _SIMPLE_CHARS.issuperset(text[2:-1]):
        # The common case, exactly one plain reference: `${a.b.c}`.
        expr = _parse_expr(text[2:-1])
        return Template((expr,), False, expr, expr.refs)
    parts: list[str | Expr] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("$${", i):
            literal.append("${")
            i += 3
        elif text.startswith("${", i):
            end = _find_close(text, i + 2)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(_parse_expr(text[i + 2 : end]))
            i = end + 1
        else:
            j = text.find("$", i + 1)
            j = len(text) if j < 0 else j
            literal.append(text[i:j])
            i = j
    if literal:
        parts.append("".join(literal))
    return Template.of(tuple(parts))
