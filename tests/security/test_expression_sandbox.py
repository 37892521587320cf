"""Expressions cannot change the values other expressions read, and their error messages never
carry a sensitive value (issue #11, reproductions 3 and 4)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.evaluation.scope import Values
from engine.expr.evaluate import Scope, evaluate_string, evaluate_value
from engine.expr.template import ExprError, Ref

CANARY = "hunter2secret-canary"


def _roots() -> dict[str, Any]:
    return {
        "var": {"pub": {"a": 1}, "tags": ["x", "y"], "secret": CANARY, "pin": 4242},
        "local": {"names": ["p", "q"]},
    }


def _scope(roots: dict[str, Any]) -> Scope:
    return Scope(roots, lambda ref: ref.root == "var" and ref.path[:1] in {("secret",), ("pin",)})


@pytest.mark.parametrize(
    "text",
    [
        "${ (var.pub|attr('update'))({'k': var.secret}) }",
        "${ (var|attr('clear'))() }",
        "${ (var.pub|attr('setdefault'))('k', var.secret) }",
        "${ (var.pub|attr('pop'))('a') }",
        "${ (var.tags|attr('append'))(var.secret) }",
        "${ (var.tags|attr('extend'))([var.secret]) }",
        "${ (var.tags|attr('insert'))(0, var.secret) }",
        "${ (var.tags|attr('sort'))() }",
        "${ (local.names|attr('clear'))() }",
        "x-${ (var|attr('popitem'))() }",
    ],
)
def test_mutating_methods_are_refused_and_change_nothing(text: str) -> None:
    roots = _roots()
    before = copy.deepcopy(roots)
    with pytest.raises(ExprError, match="not allowed"):
        evaluate_string(text, _scope(roots))
    assert roots == before


def test_a_refused_copy_of_a_secret_reaches_no_later_value() -> None:
    roots = _roots()
    scope = _scope(roots)
    with pytest.raises(ExprError):
        evaluate_string("${ (var.pub|attr('update'))({'k': var.secret}) }", scope)
    later = evaluate_value({"y": "${ var.pub }", "z": "${ var.pub | tojson }"}, scope)
    assert CANARY not in repr(later.value)
    assert later.sensitive_paths == []


@pytest.mark.parametrize(
    "text",
    [
        '${ ("{" ~ var.secret ~ "}").format() }',
        "prefix ${ {}[var.secret] } suffix",
        "${ {}[var.secret] }",
        "${ {}[var.secret | upper] }",
        "${ {}[var.secret[3:]] }",
        "${ {}[var.secret | reverse | join] }",
        "${ var.pub | attr(var.secret) }",
        "${ var.pub[var.secret] }",
        "${ var.secret | int + 'x' }",
        "${ var.pin ~ {}['k' ~ var.pin] }",
        "${ (var.secret ~ 1) + 1 }",
        "${ var[var.secret] }",
        "${ '%d' % var.secret }",
        "${ (var.secret ~ '').encode() }",
    ],
)
def test_failures_of_expressions_reading_secrets_hide_the_reason(text: str) -> None:
    with pytest.raises(ExprError) as caught:
        evaluate_string(text, _scope(_roots()))
    message = str(caught.value)
    assert "(sensitive)" in message
    for leak in (CANARY, CANARY.upper(), CANARY[3:], CANARY[::-1], "4242"):
        assert leak not in message


def test_failures_without_secrets_keep_their_reason() -> None:
    with pytest.raises(ExprError, match="'k'"):
        evaluate_string('${ ("{" ~ "k" ~ "}").format() }', _scope(_roots()))


def test_a_missing_key_is_an_expression_error_not_a_traceback() -> None:
    """A single expression used to hand back Jinja2's Undefined, which failed only when it was
    rendered, outside the evaluator (a traceback naming the key)."""
    scope = _scope(_roots())
    for text in ("${ {}['nope'] }", "a ${ {}['nope'] } b", "${ var.pub.nope | upper }"):
        with pytest.raises(ExprError, match="nope"):
            evaluate_string(text, scope)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${ var.tags | map('upper') }", ["X", "Y"]),
        ("${ var.tags | reverse }", ["y", "x"]),
        ("${ (1, 'a') }", [1, "a"]),
        ("${ {'a': 1}.keys() }", ["a"]),
        ("${ 'a' | safe }", "a"),
        ("t=${ var.tags | map('upper') }", "t=['X', 'Y']"),
    ],
)
def test_results_are_plain_spec_values(text: str, expected: Any) -> None:
    value, _ = evaluate_string(text, _scope(_roots()))
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("${ 'a'.upper }", "call it with"),
        ("${ 'a'.encode() }", "bytes"),
        ("${ {}.fromkeys([[1]]) }", "unhashable"),
    ],
)
def test_values_a_spec_cannot_hold_are_errors(text: str, reason: str) -> None:
    with pytest.raises(ExprError, match=reason):
        evaluate_string(text, _scope(_roots()))


def test_a_dynamic_subscript_of_a_resource_type_reads_its_secrets() -> None:
    """`null[var.name]` may read any `null` block: it is sensitive when one of them is."""
    values = Values({"name": "a"}, set())
    values.set_resource("null", "a", None, {"token": CANARY}, [("token",)])
    assert values.is_sensitive(Ref("null", ()))
    value, sensitive = evaluate_string("${ null[var.name].token }", values.scope())
    assert (value, sensitive) == (CANARY, True)
    with pytest.raises(ExprError) as caught:
        evaluate_string("${ {}[null[var.name].token] }", values.scope())
    assert CANARY not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "${ '{0.__class__}'.format(1) }",
        "${ '{x.__class__.__mro__}'.format_map({'x': 1}) }",
        "${ ('{0.__class__}' | safe).format(1) }",
    ],
)
def test_the_bounded_formatter_keeps_the_sandbox(text: str) -> None:
    with pytest.raises(ExprError, match=r"unsafe|not allowed"):
        evaluate_string(text, _scope(_roots()))
