"""The one gate grammar: parsed and judged in `specs.gates`, checked in spec models."""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel, ValidationError

from specs.gates import Comparison, Condition, Gate, GateSyntaxError, parse_condition


@pytest.mark.parametrize(
    ("text", "op", "threshold"),
    [
        (">= 0.9", Comparison.GE, 0.9),
        (">0.9", Comparison.GT, 0.9),
        ("<= 50", Comparison.LE, 50.0),
        (" < .5 ", Comparison.LT, 0.5),
        ("== 1", Comparison.EQ, 1.0),
        ("!= 0", Comparison.NE, 0.0),
        (">  -1e-3", Comparison.GT, -0.001),
        ("<= +2E2", Comparison.LE, 200.0),
    ],
)
def test_every_operator_parses(text: str, op: Comparison, threshold: float) -> None:
    assert parse_condition(text) == Condition(op, threshold)


@pytest.mark.parametrize(
    "text", ["", "0.9", ">= ", "=> 0.9", "=< 3", "<> 1", "= 1", ">= 0.9 0.1", "<= fast", "≥ 1"]
)
def test_malformed_conditions_are_refused(text: str) -> None:
    with pytest.raises(GateSyntaxError, match="malformed gate condition"):
        parse_condition(text)


@pytest.mark.parametrize(
    ("text", "value", "passes"),
    [
        (">= 0.9", 0.9, True),
        (">= 0.9", 0.89, False),
        ("> 0.9", 0.9, False),
        ("<= 50", 50.0, True),
        ("< 50", 50.0, False),
        ("== 1", 1.0, True),
        ("!= 0", 1.0, True),
        ("!= 0", 0.0, False),
        ("!= 0", math.nan, False),  # a measurement that failed never passes a gate
        (">= 0", None, False),  # nor does a missing one
    ],
)
def test_conditions_judge_measured_values(text: str, value: float | None, passes: bool) -> None:
    assert parse_condition(text).passes(value) is passes


def test_condition_prints_in_its_canonical_form() -> None:
    assert str(parse_condition(">=0.90")) == ">= 0.9"


class _Gated(BaseModel):
    gates: dict[str, Gate]


def test_a_malformed_gate_in_a_spec_is_a_validation_error_at_its_key() -> None:
    assert _Gated(gates={"f1": "!= 0.5"}).gates == {"f1": "!= 0.5"}
    with pytest.raises(ValidationError) as caught:
        _Gated(gates={"f1": ">= 0.5", "accuracy": "at least 0.9"})
    (error,) = caught.value.errors()
    assert error["loc"] == ("gates", "accuracy")
    assert "malformed gate condition 'at least 0.9'" in error["msg"]
