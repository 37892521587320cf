"""Evaluating templates against a scope of known (and unknown) values.

A string that is exactly one ``${...}`` keeps the value's type; otherwise every expression is
rendered with ``str`` (as Jinja2 renders ``{{ }}``) and joined with the literal text. An
expression that reads an unknown value is unknown as a whole. An expression that reads a
sensitive value produces a sensitive value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2.exceptions import SecurityError

from engine.expr import limits
from engine.expr.budget import evaluation_budget
from engine.expr.errors import ExprError, LimitError
from engine.expr.result import spec_value
from engine.expr.sandbox import compile_expression
from engine.expr.template import Expr, PathPart, Ref, parse_template
from engine.expr.unknown import UNKNOWN, contains_unknown

_MISSING = object()


@dataclass
class Scope:
    """The values expressions may read, by root name, and how to tell a sensitive one."""

    roots: Mapping[str, Any]
    is_sensitive: Callable[[Ref], bool] = field(default=lambda _ref: False)


@dataclass
class Evaluated:
    value: Any
    sensitive_paths: list[tuple[PathPart, ...]]


def _describe(ref: Ref, upto: int) -> str:
    return str(Ref(ref.root, ref.path[:upto]))


def resolve(ref: Ref, roots: Mapping[str, Any]) -> Any:
    """The value a reference points to (UNKNOWN if any step of it is unknown)."""
    cur = roots.get(ref.root, _MISSING)
    if cur is _MISSING:
        raise ExprError(f"unknown name `{ref.root}`")
    for i, part in enumerate(ref.path):
        if isinstance(cur, dict):  # the common case first: attributes are plain dicts
            nxt = cur.get(part if isinstance(part, str) else str(part), _MISSING)
            if nxt is _MISSING:
                raise ExprError(f"`{_describe(ref, i)}` has no attribute or key {part!r}")
            cur = nxt
        elif isinstance(cur, str) and cur == UNKNOWN:
            return UNKNOWN
        elif isinstance(cur, Mapping):
            nxt = cur.get(part if isinstance(part, str) else str(part), _MISSING)
            if nxt is _MISSING:
                raise ExprError(f"`{_describe(ref, i)}` has no attribute or key {part!r}")
            cur = nxt
        elif isinstance(cur, list) and isinstance(part, int):
            if not -len(cur) <= part < len(cur):
                raise ExprError(f"index {part} out of range in `{_describe(ref, i)}`")
            cur = cur[part]
        else:
            raise ExprError(f"cannot read {part!r} of `{_describe(ref, i)}` ({type(cur).__name__})")
    return cur


def _eval_expr(expr: Expr, scope: Scope) -> tuple[Any, bool]:
    if expr.plain is not None:
        value = resolve(expr.plain, scope.roots)
        if contains_unknown(value):
            return UNKNOWN, False
        return value, scope.is_sensitive(expr.plain)
    sensitive = False
    inputs: list[Any] = []
    for ref in expr.refs:
        value = resolve(ref, scope.roots)
        if contains_unknown(value):
            return UNKNOWN, False
        inputs.append(value)
        sensitive = sensitive or scope.is_sensitive(ref)
    program = compile_expression(expr.source)
    context = {name: scope.roots[name] for name in {r.root for r in expr.refs}}
    try:
        with evaluation_budget():
            value = program(**context)
            if not any(value is i for i in inputs):  # made by the expression, not read
                value = spec_value(value)
    except LimitError as exc:
        raise LimitError(f"expression ${{{expr.source}}} refused: {exc}") from None
    except Exception as exc:  # a user's expression can fail in any way
        raise ExprError(_failure(expr, exc, sensitive)) from None
    return value, sensitive


def _failure(expr: Expr, exc: Exception, sensitive: bool) -> str:
    """The message of a failed expression. Any part of it may come from the values it read
    (a missing key, a bad format, ``var.secret[1:]`` in either), so when it read a sensitive
    value only the kind of failure is said."""
    verb = "is not allowed" if isinstance(exc, SecurityError) else "failed"
    if sensitive:
        return (
            f"expression ${{{expr.source}}} {verb}: {type(exc).__name__}: (sensitive)"
            " (the reason is hidden because the expression reads a sensitive value)"
        )
    return f"expression ${{{expr.source}}} {verb}: {exc or type(exc).__name__}"


def evaluate_string(text: str, scope: Scope) -> tuple[Any, bool]:
    """Evaluate one string; return ``(value, sensitive)``."""
    template = parse_template(text)
    if template.is_literal:
        return "".join(p for p in template.parts if isinstance(p, str)), False
    single = template.single
    if single is not None:
        return _eval_expr(single, scope)
    out: list[str] = []
    length = 0
    sensitive = False
    for part in template.parts:
        if isinstance(part, str):
            text = part
        else:
            value, sens = _eval_expr(part, scope)
            if contains_unknown(value):
                return UNKNOWN, False
            sensitive = sensitive or sens
            text = value if isinstance(value, str) else _as_text(value)
        length += len(text)
        if length > limits.MAX_VALUE_SIZE:
            raise LimitError(f"string larger than {limits.MAX_VALUE_SIZE:,} characters")
        out.append(text)
    return "".join(out), sensitive


def _as_text(value: Any) -> str:
    try:
        return str(value)
    except RecursionError:
        raise LimitError("value nested too deeply to be written into a string") from None


Site = tuple[tuple[PathPart, ...], str]


def evaluate_value(value: Any, scope: Scope, sites: list[Site] | None = None) -> Evaluated:
    """``value`` with every expression inside it evaluated.

    ``sites`` (from :func:`expression_sites`, which a caller may keep between evaluations of
    the same value) says where the expressions are, so nothing else is walked: the containers
    on the way to an expression are copied as plain dicts and lists, the rest is shared with
    ``value`` and must not be modified.
    """
    if sites is None:
        sites = expression_sites(value)
    sensitive: list[tuple[PathPart, ...]] = []
    if not sites:
        return Evaluated(_plain(value), sensitive)
    result = _plain(value)
    copied: set[int] = {id(result)}
    for where, text in sites:
        try:
            out, sens = evaluate_string(text, scope)
        except ExprError as exc:
            raise PathExprError(str(exc), where) from None
        if sens:
            sensitive.append(where)
        if not where:
            return Evaluated(out, sensitive)  # the value is one string
        parent = result
        for step in where[:-1]:
            child = parent[step]
            if id(child) not in copied:
                child = parent[step] = _plain(child)
                copied.add(id(child))
            parent = child
        parent[where[-1]] = out
    return Evaluated(result, sensitive)


def _plain(value: Any) -> Any:
    """A shallow plain copy of a container (YAML mappings and sequences carry positions)."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def expression_sites(value: Any) -> list[Site]:
    """The path and text of every string inside ``value`` that holds an expression."""
    out: list[Site] = []
    path: list[PathPart] = []

    def walk(v: Any) -> None:
        items = v.items() if isinstance(v, dict) else enumerate(v)
        for k, item in items:
            if isinstance(item, str):
                if "${" in item:
                    out.append(((*path, k), item))
            elif isinstance(item, dict | list):
                path.append(k)
                walk(item)
                path.pop()

    if isinstance(value, str):
        return [((), value)] if "${" in value else []
    if isinstance(value, dict | list):
        walk(value)
    return out


class PathExprError(ExprError):
    """An expression error with the path, inside the evaluated value, where it happened."""

    def __init__(self, message: str, path: tuple[PathPart, ...]) -> None:
        super().__init__(message)
        self.path = path


def refs_in(value: Any, sites: list[Site] | None = None) -> list[tuple[Ref, tuple[PathPart, ...]]]:
    """Every reference inside ``value`` with the path of the string that makes it."""
    out: list[tuple[Ref, tuple[PathPart, ...]]] = []
    for where, text in expression_sites(value) if sites is None else sites:
        try:
            template = parse_template(text)
        except ExprError as exc:
            raise PathExprError(str(exc), where) from None
        out.extend((r, where) for r in template.refs)
    return out
