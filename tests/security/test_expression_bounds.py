"""A few bytes of expression cannot take minutes or gigabytes, nor overflow Python's stack: each
bound of ``engine.expr.limits`` is an expression error (issue #11, reproductions 7 and 10)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine.expr import limits
from engine.expr.errors import LimitError
from engine.expr.evaluate import Scope, evaluate_string
from engine.expr.template import ExprError

ROOTS: dict[str, Any] = {"var": {"s": "abc", "l": [1, 2, 3], "n": 7}}

# Each of these, on the unbounded sandbox, ran for minutes, took gigabytes or raised
# MemoryError / OverflowError from deep inside Python.
HUGE = [
    '"a".encode() * 1000000000',
    '"{:>2000000000}".format("a")',
    '"{:.2000000000f}".format(1.5)',
    '("{0}" * 300000).format("a" * 1000)',
    '"{x:>2000000000}".format_map({"x": 1})',
    '"%2000000000s" % "a"',
    '"%*s" % (2000000000, "a")',
    '"%(k)s" * 200000 % {"k": "a" * 1000}',
    '"%2000000000s" | format("a")',
    '"a".ljust(2000000000)',
    '"a".rjust(2000000000)',
    '"a".center(2000000000)',
    '"a".zfill(2000000000)',
    '"a" | center(2000000000)',
    '"a\\nb" | indent(2000000000)',
    '("\\n" * 900000) | indent(100)',
    '("\\t" * 900000).expandtabs(100000)',
    '("a" * 900000).replace("a", "bb")',
    '"aaaa".replace("", "b" * 900000)',
    '("a" * 900000) | replace("a", "bb")',
    '("," * 900000).join(["x", "y"])',
    '(["a"] * 100000) | join("x" * 10)',
    '("a" * 900000).translate({97: "bb"})',
    '("a " * 400000) | wordwrap(1, wrapstring="<br>")',
    "var.l | batch(2000000000, 0) | list",
    "var.l | slice(2000000000) | list",
    "([[1]] * 300000) | sum(start=[])",
    "[[1] * 1000] * 1000",
    "[[[0] * 100] * 100] * 100",
    "[var.l * 100000] * 100000",
    "(1).to_bytes(2000000000, 'big')",
    '("x" * 999999) ~ ("x" * 999999)',
    '[("x" * 999999)] * 3 | string',
    "2 ** 100000",
    "9 ** 9 ** 9 ** 9 ** 9",
    "2" + " ** 2" * 30,
    "2 ** 128 ** 128",
    "(10 ** 100) * (10 ** 100) * (10 ** 100) * (10 ** 100) * (10 ** 1000)",
]


@pytest.mark.parametrize("source", HUGE)
def test_huge_results_are_refused_before_they_are_made(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"larger than|exponent"):
        evaluate_string("${ " + source + " }", Scope(ROOTS))
    assert time.monotonic() - started < 5


def test_a_long_string_of_expressions_is_bounded_as_a_whole() -> None:
    scope = Scope({"var": {"big": "x" * 600_000}})
    with pytest.raises(LimitError, match="string larger than"):
        evaluate_string("${var.big}-${var.big}", scope)


@pytest.mark.parametrize(
    "source",
    [
        "+".join(["1"] * 50_000),  # `1+1+...` 100k long
        "var.s" + "|upper" * 20_000,  # 20,000 chained filters
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_long_sources_are_refused_before_parsing(source: str) -> None:
    with pytest.raises(LimitError, match="longer than"):
        evaluate_string("${ " + source + " }", Scope(ROOTS))


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("(" * 60 + "1" + ")" * 60, "brackets deep"),
        ("[" * 60 + "]" * 60, "brackets deep"),
        ("{'a': " * 40 + "1" + "}" * 40, "brackets deep"),
        ("1" + "+1" * 150, "operations deep"),
        ("var.s" + "|upper" * 150, "operations deep"),
        ("(var.s)" + ".x" * 150, "operations deep"),
        (" if var.n else ".join(["1"] * 150), "operations deep"),
        ("-" * 3000 + "1", "nests"),
        ("not " * 2000 + "1", "nests"),
    ],
)
def test_deep_sources_are_refused_without_a_recursion_error(source: str, reason: str) -> None:
    with pytest.raises(LimitError, match=reason):
        evaluate_string("${ " + source + " }", Scope(ROOTS))


def test_brackets_inside_strings_do_not_count() -> None:
    source = "'" + "(" * 100 + "' ~ \"[[[\\\"[[[\" ~ 'x'"
    assert evaluate_string("${ " + source + " }", Scope(ROOTS))[0] == "(" * 100 + '[[["[[[x'


def test_an_expression_that_runs_too_long_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_EVALUATION_SECONDS", 0.05)
    started = time.monotonic()
    with pytest.raises(LimitError, match=r"longer than 0\.05 s"):
        evaluate_string('${ ("a" * 900000) | map("upper") | list | length }', Scope(ROOTS))
    assert time.monotonic() - started < 2


def test_what_one_expression_makes_is_bounded_in_total() -> None:
    # Each string is within the size bound; together they pass the allocation bound.
    source = '("a" * 300000) | list | map("center", 2) | map("upper") | list | length'
    with pytest.raises(LimitError):
        evaluate_string("${ " + source + " }", Scope(ROOTS))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('("a" * 1000) | length', 1000),
        ('"%5s|%-3d" % ("ab", 7)', "   ab|7  "),
        ('"{:>6}".format("ab")', "    ab"),
        ("2 ** 64", 2**64),
        ("[0] * 3", [0, 0, 0]),
        ('"a b".replace(" ", "--")', "a--b"),
        ('"\\tx".expandtabs(4)', "    x"),
        ('", ".join(["a", "b"])', "a, b"),
        ('"x\\ny" | indent(2, first=true)', "  x\n  y"),
        ("[[1], [2, 3]] | sum(start=[])", [1, 2, 3]),
        ('["a", "b"] | join("-")', "a-b"),
        ('"%s!" | format("hi")', "hi!"),
        ("var.l | batch(2, 0) | list", [[1, 2], [3, 0]]),
    ],
)
def test_ordinary_expressions_are_untouched(source: str, expected: Any) -> None:
    assert evaluate_string("${ " + source + " }", Scope(ROOTS))[0] == expected


def test_limit_errors_are_expression_errors() -> None:
    assert issubclass(LimitError, ExprError)


@pytest.mark.parametrize("text", ["x ${ var.deep }", "${ var.deep | list }", "x ${ [var.deep] }"])
def test_deeply_nested_values_are_errors_not_recursion_errors(text: str) -> None:
    deep: list[Any] = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ExprError):
        evaluate_string(text, Scope({"var": {"deep": deep}}))
