"""The evaluation provider: gates parsed at plan, metrics measured once, failed gates raise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ml_fixtures import checked, failures, run_dirs, store_classifier, store_dataset

from engine.providers import ProviderContext
from providers.ml.errors import GateFailedError
from providers.ml.evaluation import EvaluationProvider
from specs.gates import GateSyntaxError, parse_condition

Ctx = Callable[..., ProviderContext]


@pytest.fixture
def uris(context: Ctx) -> tuple[str, str]:
    data = store_dataset(
        context(), {"path": "data/table.csv", "target": "label", "split": {"test": 0.25}}
    )
    return store_classifier(context(), data), data


def ev(uris: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"model": uris[0], "dataset": uris[1], "metrics": ["accuracy", "f1", "roc_auc"], **extra}


@pytest.mark.parametrize(
    ("condition", "op", "threshold"),
    [(">= 0.9", ">=", 0.9), ("<0.5", "<", 0.5), ("== 1", "==", 1.0), (">  -1e-3", ">", -0.001)],
)
def test_gates_parse(condition: str, op: str, threshold: float) -> None:
    gate = parse_condition(condition)
    assert (gate.op, gate.threshold) == (op, threshold)


@pytest.mark.parametrize("condition", ["0.9", "at least 0.9", ">= ", "=> 0.9", ">= 0.9 0.1", ""])
def test_malformed_gates_are_refused(condition: str) -> None:
    with pytest.raises(GateSyntaxError):
        parse_condition(condition)


@pytest.mark.parametrize(
    ("change", "prop", "reason"),
    [
        ({"gates": {"accuracy": "at least 0.9"}}, "gates.accuracy", "malformed gate"),
        ({"gates": {"acc": ">= 0.9"}}, "gates.acc", "unknown metric"),
        ({"metrics": ["rmse"]}, "metrics.0", "does not apply to a classification model"),
        ({"gates": {"r2": ">= 0.5"}}, "gates.r2", "does not apply to a classification model"),
        ({"model": "models/m.pkl"}, "model", "expected an artifact URI"),
        ({"metrics": ["acuracy"]}, "metrics.0", "Input should be"),
    ],
)
def test_bad_inputs_fail_at_plan(
    context: Ctx, uris: tuple[str, str], change: dict[str, Any], prop: str, reason: str
) -> None:
    found = failures(EvaluationProvider(context()), {**ev(uris), **change})
    assert prop in found and reason in found[prop], found


def test_schema_errors_and_malformed_gates_are_reported_together(
    context: Ctx, uris: tuple[str, str]
) -> None:
    news = {**ev(uris), "metrics": ["acuracy"], "gates": {"accuracy": "high"}}
    assert set(failures(EvaluationProvider(context()), news)) == {"metrics.0", "gates.accuracy"}


def test_passing_gate_then_a_failing_one_reuses_the_measurement(
    context: Ctx, uris: tuple[str, str], project: Path
) -> None:
    provider = EvaluationProvider(context("evaluation.clf"))
    outs = provider.create(checked(provider, ev(uris, gates={"accuracy": ">= 0.5"}))).outs
    assert outs["passed"] is True and outs["reused"] is False
    accuracy = outs["scores"]["accuracy"]
    assert set(outs["scores"]) == {"accuracy", "f1", "roc_auc"}
    assert outs["gate_results"]["accuracy"] == {
        "condition": ">= 0.5",
        "value": accuracy,
        "passed": True,
    }
    strict = checked(provider, ev(uris, gates={"accuracy": "> 1"}))
    diff = provider.diff("id", outs, strict)
    assert diff.changes and not diff.replaces  # a threshold is re-judged in place
    with pytest.raises(GateFailedError) as err:
        provider.update("id", outs, strict)
    assert f"accuracy = {accuracy:.4f} does not meet `> 1`" in str(err.value)
    assert err.value.measured["accuracy"] == accuracy
    assert len(run_dirs(project, "evaluation.clf")) == 1


def test_gated_metrics_are_measured_even_when_not_listed(
    context: Ctx, uris: tuple[str, str]
) -> None:
    provider = EvaluationProvider(context("evaluation.clf"))
    outs = provider.create(
        checked(provider, {**ev(uris, metrics=[]), "gates": {"recall": ">= 0"}})
    ).outs
    assert set(outs["scores"]) == {"accuracy", "f1", "recall"}  # task defaults + the gated one


def test_new_model_is_a_replacement_with_another_cache_key(
    context: Ctx, uris: tuple[str, str]
) -> None:
    provider = EvaluationProvider(context())
    first = checked(provider, ev(uris))
    other_model = store_classifier(context(), uris[1], C=0.01)
    second = checked(provider, {**ev(uris), "model": other_model})
    assert provider.diff("id", first, second).replaces == ["model"]
    parts = provider.cache_parts(first), provider.cache_parts(second)
    assert {k for k in parts[0] if parts[0][k] != parts[1][k]} == {"model"}
