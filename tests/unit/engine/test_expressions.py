"""Expressions: the fast path and Jinja2 agree, unknowns propagate, the sandbox holds."""

from __future__ import annotations

from typing import Any

import pytest

from engine.expr.evaluate import Scope, evaluate_string, evaluate_value
from engine.expr.template import ExprError, Ref, parse_template
from engine.expr.unknown import UNKNOWN

ROOTS: dict[str, Any] = {
    "var": {"env": "dev", "n": 3, "flag": True, "tags": ["a", "b"], "secret": "hunter2"},
    "null": {"a": {"id": "abc", "triggers": {"x": 1}}, "u": {"id": UNKNOWN}},
    "file": {"sweep": {"small": {"sha256": "f00"}}},
}


def scope() -> Scope:
    return Scope(ROOTS, lambda ref: ref.root == "var" and ref.path[:1] == ("secret",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${var.n}", 3),
        ("${var.n * 2}", 6),
        ("${var.env | upper}", "DEV"),
        ("x-${var.env}-${var.n}", "x-dev-3"),
        ("${null.a.triggers.x}", 1),
        ("${null.a['triggers']['x'] + 1}", 2),
        ('${file.sweep["small"].sha256}', "f00"),
        ("${var.tags | join(',')}", "a,b"),
        ("$${HOME}", "${HOME}"),
        ("echo $${HOME} ${var.env}", "echo ${HOME} dev"),
        ("${var.flag}", True),
    ],
)
def test_values(text: str, expected: Any) -> None:
    assert evaluate_string(text, scope())[0] == expected


@pytest.mark.parametrize("ref", ["var.n", "null.a.triggers", "var.tags[1]", 'null.a["id"]'])
def test_fast_path_matches_jinja(ref: str) -> None:
    fast = evaluate_string("${" + ref + "}", scope())[0]
    # `( ... )` defeats the plain-reference fast path, forcing Jinja2.
    slow = evaluate_string("${(" + ref + ")}", scope())[0]
    assert fast == slow
    assert parse_template("${" + ref + "}").single.plain is not None  # type: ignore[union-attr]
    assert parse_template("${(" + ref + ")}").single.plain is None  # type: ignore[union-attr]


def test_unknown_propagates() -> None:
    assert evaluate_string("${null.u.id}", scope())[0] == UNKNOWN
    assert evaluate_string("prefix-${null.u.id | upper}", scope())[0] == UNKNOWN


def test_sensitive_is_tracked_through_paths() -> None:
    result = evaluate_value({"env": {"TOKEN": "t=${var.secret}"}, "x": "${var.env}"}, scope())
    assert result.value["env"]["TOKEN"] == "t=hunter2"
    assert result.sensitive_paths == [("env", "TOKEN")]


@pytest.mark.parametrize(
    "text",
    [
        "${ ''.__class__.__mro__ }",
        "${ var.env.__class__ }",
        "${ null.a.__init__.__globals__ }",
        "${ (1).__class__.__subclasses__() }",
        "${ 2 ** 100000 }",
        "${ 'a' * 100000000 }",
        "${ range(10**9) | list }",
        "${ var.missing }",
        "${ unknown_name.x }",
    ],
)
def test_sandbox_refuses(text: str) -> None:
    with pytest.raises(ExprError):
        evaluate_string(text, scope())


def test_references_are_static() -> None:
    refs = parse_template("${null.a.id} and ${ var.n + file.sweep['small'].sha256 | length }").refs
    assert Ref("null", ("a", "id")) in refs
    assert Ref("var", ("n",)) in refs
    assert Ref("file", ("sweep", "small", "sha256")) in refs


def test_unterminated() -> None:
    with pytest.raises(ExprError, match="unterminated"):
        parse_template("${var.n")
