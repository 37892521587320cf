"""The training job provider: plan-time checks, cache keys, runs in a child process, crashes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ml_fixtures import checked, failures, run_dirs, store_dataset

from engine.artifacts import ArtifactStore
from engine.errors import JobError
from engine.providers import ProviderContext
from providers.ml.training_job import TrainingJobProvider

Ctx = Callable[..., ProviderContext]
LR = "sklearn.linear_model.LogisticRegression"


@pytest.fixture
def data_uri(context: Ctx) -> str:
    return store_dataset(
        context(), {"path": "data/table.csv", "target": "label", "split": {"test": 0.25}}
    )


def sk(data_uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "framework": "sklearn",
        "dataset": data_uri,
        "target": "label",
        "estimator": LR,
        "params": {"C": 1.0},
        **extra,
    }


def torch_job(data_uri: str, function: str = "user_train:train", **extra: Any) -> dict[str, Any]:
    return {
        "framework": "torch",
        "dataset": data_uri,
        "target": "label",
        "function": function,
        "params": {"epochs": 3},
        **extra,
    }


@pytest.mark.parametrize(
    ("change", "prop", "reason"),
    [
        ({"estimator": None}, "estimator", "required when framework is sklearn"),
        ({"function": "user_train:train"}, "function", "takes `estimator`"),
        ({"estimator": "os.system"}, "estimator", "not from an allowed library"),
        ({"estimator": "sklearn.linear_model.LogisticRegresion"}, "estimator", "unknown estimator"),
        ({"estimator": "sklearn.nope.Thing"}, "estimator", "no module sklearn.nope"),
        ({"params": {"C": -1.0}}, "params.C", "must be a float in the range"),
        ({"params": {"Cc": 1.0}}, "params.Cc", "has no parameter 'Cc'"),
        ({"target": "species"}, "target", "no column 'species' (x1, x2, label)"),
        ({"features": ["x1", "x9"]}, "features.1", "no column 'x9'"),
        ({"dataset": "data/table.csv"}, "dataset", "expected a dataset URI"),
        ({"seed": "abc"}, "seed", "valid integer"),
    ],
)
def test_bad_sklearn_inputs_fail_at_plan(
    context: Ctx, data_uri: str, change: dict[str, Any], prop: str, reason: str
) -> None:
    found = failures(TrainingJobProvider(context()), {**sk(data_uri), **change})
    assert prop in found and reason in found[prop], found


@pytest.mark.parametrize(
    ("function", "reason"),
    [
        ("user_train:nope", "defines no top-level function 'nope'"),
        ("missing_module:train", "no module missing_module in the project"),
        ("not a ref", "expected module:function"),
    ],
)
def test_bad_torch_functions_fail_at_plan(
    context: Ctx, data_uri: str, function: str, reason: str
) -> None:
    found = failures(TrainingJobProvider(context()), torch_job(data_uri, function))
    assert reason in found["function"]


def test_params_are_validated_only_when_they_change(
    context: Ctx, data_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(
        "providers.ml.training_job.validate_estimator",
        lambda path, params: calls.append(path) or [],
    )
    provider = TrainingJobProvider(context())
    stored = checked(provider, sk(data_uri))
    assert calls == [LR]
    checked(provider, sk(data_uri), olds=stored)
    assert calls == [LR]  # unchanged: no import of scikit-learn
    checked(provider, sk(data_uri, params={"C": 2.0}), olds=stored)
    assert calls == [LR, LR]


def test_torch_code_is_fingerprinted_from_its_file(
    context: Ctx, data_uri: str, project: Path
) -> None:
    provider = TrainingJobProvider(context())
    before = checked(provider, torch_job(data_uri))
    with (project / "user_train.py").open("a") as f:
        f.write("\n# a comment is a change of the code\n")
    after = checked(provider, torch_job(data_uri))
    assert before["code_hash"] != after["code_hash"]
    changed = {
        k for k, v in provider.cache_parts(after).items() if provider.cache_parts(before)[k] != v
    }
    assert changed == {"code"}
    assert provider.diff("id", {**before, "model_uri": "x"}, after).replaces == ["code_hash"]


@pytest.mark.parametrize(
    ("change", "part"),
    [
        ({"params": {"C": 0.5}}, "params"),
        ({"seed": 7}, "seed"),
        ({"features": ["x1"]}, "columns"),
        ({"estimator": "sklearn.svm.SVC"}, "estimator"),
    ],
)
def test_cache_parts_name_what_changed(
    context: Ctx, data_uri: str, change: dict[str, Any], part: str
) -> None:
    provider = TrainingJobProvider(context())
    base = provider.cache_parts(checked(provider, sk(data_uri)))
    other = provider.cache_parts(checked(provider, {**sk(data_uri), **change}))
    assert {k for k in base if base[k] != other[k]} == {part}
    assert "scikit-learn" in base["libraries"]


def test_diff_replaces_on_inputs_and_updates_on_timeout(context: Ctx, data_uri: str) -> None:
    provider = TrainingJobProvider(context())
    stored = {**checked(provider, sk(data_uri)), "model_uri": "artifact://sha256/aa"}
    assert not provider.diff("id", stored, checked(provider, sk(data_uri))).changes
    diff = provider.diff("id", stored, checked(provider, sk(data_uri, params={"C": 3.0})))
    assert diff.replaces == ["params"]
    diff = provider.diff("id", stored, checked(provider, sk(data_uri, timeout_s=60)))
    assert diff.changes and not diff.replaces
    assert provider.diff("id", {**stored, "model_uri": ""}, checked(provider, sk(data_uri))).changes


def test_sklearn_training_runs_once_then_hits_the_cache(
    context: Ctx, data_uri: str, project: Path
) -> None:
    provider = TrainingJobProvider(context("training_job.clf"))
    inputs = checked(provider, sk(data_uri))
    first = provider.create(inputs).outs
    assert first["reused"] is False
    assert first["metrics"]["train_accuracy"] == pytest.approx(1.0)
    assert first["cache_key"] == provider.cache_key(inputs)
    store = ArtifactStore(project / ".opspec" / "artifacts")
    meta = json.loads((store.path(first["model_uri"]) / "meta.json").read_text())
    assert (meta["estimator"], meta["task"], meta["features"]) == (
        LR,
        "classification",
        ["x1", "x2"],
    )
    assert meta["dataset"] == data_uri and meta["params"] == {"C": 1.0}
    assert Path(first["log_path"]).read_text().count("fitting") == 1
    # Destroy keeps the artifact; the next create reuses it and runs nothing.
    provider.delete(first["cache_key"], first)
    assert provider.cached_outputs(first["cache_key"]) is not None
    again = provider.create(checked(provider, sk(data_uri))).outs
    assert again["reused"] is True and again["model_uri"] == first["model_uri"]
    assert len(run_dirs(project, "training_job.clf")) == 1


def test_read_reports_a_lost_model(context: Ctx, data_uri: str, project: Path) -> None:
    provider = TrainingJobProvider(context("training_job.clf"))
    outs = provider.create(checked(provider, sk(data_uri))).outs
    assert provider.read("id", outs).outs == outs
    ArtifactStore(project / ".opspec" / "artifacts").gc(keep=[data_uri])
    assert provider.read("id", outs).outs["model_uri"] == ""


def test_torch_training_records_a_loss_curve(context: Ctx, data_uri: str) -> None:
    provider = TrainingJobProvider(context("training_job.net"))
    outs = provider.create(checked(provider, torch_job(data_uri))).outs
    assert [e["epoch"] for e in outs["loss_curve"]] == [1.0, 2.0, 3.0]
    assert all(e["loss"] > 0 for e in outs["loss_curve"])
    assert "final_loss" in outs["metrics"]


@pytest.mark.parametrize(
    ("function", "logged", "status"),
    [
        ("user_train:explode", "boom in user code", "status 1"),
        ("user_train:die", "about to be killed", "status -9"),
    ],
)
def test_a_crashing_job_fails_keeps_its_log_and_leaves_nothing(
    context: Ctx, data_uri: str, project: Path, function: str, logged: str, status: str
) -> None:
    provider = TrainingJobProvider(context("training_job.bad"))
    inputs = checked(provider, torch_job(data_uri, function))
    store = ArtifactStore(project / ".opspec" / "artifacts")
    objects_before = sorted(store.objects.glob("*/*"))
    with pytest.raises(JobError, match=status):
        provider.create(inputs)
    (run,) = run_dirs(project, "training_job.bad")
    assert logged in (run / "log.txt").read_text()
    assert sorted(store.objects.glob("*/*")) == objects_before
    assert provider.cached_outputs(provider.cache_key(inputs)) is None
    assert not list(store.root.glob(".model-*"))
