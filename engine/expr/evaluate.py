"""Evaluating templates against a scope of known (and unknown) values.

A string that is exactly one ``${...}`` keeps the value's type; otherwise every expression is
rendered with ``str`` (as Jinja2 renders ``{{ }}``) and joined with the literal text. An
expression that reads an unknown value is unknown as a whole. An expression that reads a
sensitive value produces a sensitive value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError
from jinja2.exceptions import SecurityError

from engine.expr.sandbox import environment
from engine.expr.template import Expr, ExprError, PathPart, Ref, parse_template
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
    if ref.root not in roots:
        raise ExprError(f"unknown name `{ref.root}`")
    cur = roots[ref.root]
    for i, part in enumerate(ref.path):
        if isinstance(cur, str) and cur == UNKNOWN:
            return UNKNOWN
        if isinstance(cur, Mapping):
            nxt = cur.get(part, _MISSING) if not isinstance(part, int) else _MISSING
            if nxt is _MISSING and isinstance(part, int):
                nxt = cur.get(str(part), _MISSING)
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


@lru_cache(maxsize=65536)
def _compiled(source: str) -> Any:
    try:
        return environment().compile_expression(source, undefined_to_none=False)
    except TemplateError as exc:
        raise ExprError(f"invalid expression ${{{source}}}: {exc}") from None


def _eval_expr(expr: Expr, scope: Scope) -> tuple[Any, bool]:
    sensitive = False
    for ref in expr.refs:
        value = resolve(ref, scope.roots)
        if contains_unknown(value):
            return UNKNOWN, False
        sensitive = sensitive or scope.is_sensitive(ref)
    if expr.plain is not None:
        return resolve(expr.plain, scope.roots), sensitive
    names = {r.root for r in expr.refs}
    context = {name: scope.roots[name] for name in names}
    try:
        value = _compiled(expr.source)(**context)
    except SecurityError as exc:
        raise ExprError(f"expression ${{{expr.source}}} is not allowed: {exc}") from None
    except ExprError:
        raise
    except Exception as exc:  # a user's expression can fail in any way
        raise ExprError(f"expression ${{{expr.source}}} failed: {exc}") from None
    return value, sensitive


def evaluate_string(text: str, scope: Scope) -> tuple[Any, bool]:
    """Evaluate one string; return ``(value, sensitive)``."""
    template = parse_template(text)
    if template.is_literal:
        return "".join(p for p in template.parts if isinstance(p, str)), False
    single = template.single
    if single is not None:
        return _eval_expr(single, scope)
    out: list[str] = []
    sensitive = False
    for part in template.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value, sens = _eval_expr(part, scope)
        if contains_unknown(value):
            return UNKNOWN, False
        sensitive = sensitive or sens
        out.append(str(value))
    return "".join(out), sensitive


def evaluate_value(value: Any, scope: Scope, path: tuple[PathPart, ...] = ()) -> Evaluated:
    """Evaluate every string inside ``value`` (dicts and lists are walked)."""
    sensitive: list[tuple[PathPart, ...]] = []
    result = _walk(value, scope, path, sensitive)
    return Evaluated(result, sensitive)


def _walk(
    value: Any, scope: Scope, path: tuple[PathPart, ...], sensitive: list[tuple[PathPart, ...]]
) -> Any:
    if isinstance(value, str):
        if "$" not in value:
            return value
        try:
            out, sens = evaluate_string(value, scope)
        except ExprError as exc:
            raise PathExprError(str(exc), path) from None
        if sens:
            sensitive.append(path)
        return out
    if isinstance(value, dict):
        return {k: _walk(v, scope, (*path, k), sensitive) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, scope, (*path, i), sensitive) for i, v in enumerate(value)]
    return value


class PathExprError(ExprError):
    """An expression error with the path, inside the evaluated value, where it happened."""

    def __init__(self, message: str, path: tuple[PathPart, ...]) -> None:
        super().__init__(message)
        self.path = path


def refs_in(value: Any) -> list[tuple[Ref, tuple[PathPart, ...]]]:
    """Every reference inside ``value`` with the path of the string that makes it."""
    out: list[tuple[Ref, tuple[PathPart, ...]]] = []

    def walk(v: Any, path: tuple[PathPart, ...]) -> None:
        if isinstance(v, str):
            if "${" in v:
                try:
                    template = parse_template(v)
                except ExprError as exc:
                    raise PathExprError(str(exc), path) from None
                out.extend((r, path) for r in template.refs)
        elif isinstance(v, dict):
            for k, item in v.items():
                walk(item, (*path, k))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                walk(item, (*path, i))

    walk(value, ())
    return out
