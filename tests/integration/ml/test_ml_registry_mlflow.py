"""The model provider against a real MLflow registry (SQLite under the project's .opspec/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.providers import ProviderContext
from providers.ml.jobs import register
from providers.ml.model import ModelProvider
from providers.ml.registry_db import read_version

pytestmark = [pytest.mark.integration, pytest.mark.slow]

Ctx = Callable[[str], ProviderContext]


def client(project: Path) -> Any:
    from mlflow import MlflowClient

    uri = f"sqlite:///{project.resolve()}/.opspec/mlflow.db"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def versions(project: Path, name: str = "clf") -> dict[int, dict[str, str]]:
    found = client(project).search_model_versions(f"name = '{name}'")
    return {int(v.version): dict(v.tags) for v in found}


def alias_target(project: Path, alias: str, name: str = "clf") -> int:
    return int(client(project).get_model_version_by_alias(name, alias).version)


def spec(artifact: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "clf",
        "artifact": artifact,
        "aliases": ["champion"],
        "tags": {"team": "ml"},
        "metrics": {"accuracy": 0.93},
        **extra,
    }


def create(provider: ModelProvider, news: dict[str, Any]) -> dict[str, Any]:
    checked = provider.check({}, news)
    assert not checked.failures
    return dict(provider.create(checked.inputs).outs)


def test_versions_aliases_lineage_and_delete(
    context: Ctx, project: Path, stored_model: Callable[[str], str]
) -> None:
    provider = ModelProvider(context("model.clf"))
    first = create(provider, spec(stored_model("a")))
    assert (first["version"], first["model_uri"]) == (1, "models:/clf/1")
    tags = versions(project)[1]
    assert tags["opspec.status"] == "committed" and tags["team"] == "ml"
    assert tags["opspec.dataset_sha256"] == "ab" * 32
    assert alias_target(project, "champion") == 1
    run = client(project).get_run(first["run_id"])
    assert run.data.metrics["accuracy"] == 0.93 and run.data.params["params.C"] == "1.0"
    # Refresh reads the same registry through SQLite alone: no drift.
    assert provider.read("clf", first).outs == first

    second = dict(provider.update("clf", first, spec(stored_model("b"))).outs)
    assert second["version"] == 2 and alias_target(project, "champion") == 2
    assert sorted(versions(project)) == [1, 2]
    stale = provider.read("clf", first).outs  # version 1 no longer holds the alias
    assert stale["aliases"] == [] and stale["version"] == 1

    # Back to the first artifact: its committed version is reused, the alias moves back.
    back = dict(provider.update("clf", second, spec(stored_model("a"))).outs)
    assert back["version"] == 1 and alias_target(project, "champion") == 1
    assert sorted(versions(project)) == [1, 2]

    provider.delete("clf", back)
    assert versions(project) == {}
    assert provider.read("clf", back).outs["version"] is None


def test_dropped_alias_is_removed(
    context: Ctx, project: Path, stored_model: Callable[[str], str]
) -> None:
    provider = ModelProvider(context("model.clf"))
    outs = create(provider, spec(stored_model("a"), aliases=["champion", "staging"]))
    provider.update("clf", outs, spec(stored_model("a"), aliases=["champion"]))
    assert alias_target(project, "champion") == 1
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException):
        alias_target(project, "staging")


def _request(project: Path, artifact: str, ctx: ProviderContext) -> dict[str, Any]:
    provider = ModelProvider(ctx)
    registry = provider.registry
    from engine.artifacts import ArtifactStore

    return {
        "tracking_uri": registry.tracking_uri,
        "experiment": registry.experiment,
        "artifact_location": registry.artifact_location,
        "name": "clf",
        "artifact_uri": artifact,
        "artifact_dir": str(ArtifactStore(ctx.artifacts_dir).path(artifact)),
        "aliases": ["champion"],
        "remove_aliases": [],
        "version_tags": {
            "opspec.address": ctx.address,
            "opspec.workspace": "default",
            "opspec.artifact": artifact,
        },
        "metrics": {},
        "description": "",
        "lineage": {},
        "address": ctx.address,
        "workspace": "default",
    }


def test_a_failure_mid_registration_leaves_nothing(
    context: Ctx, project: Path, stored_model: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow import MlflowClient

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("registry went away")

    monkeypatch.setattr(MlflowClient, "set_model_version_tag", broken)
    request = _request(project, stored_model("a"), context("model.clf"))
    with pytest.raises(RuntimeError, match="registry went away"):
        register.register_model(**request)
    assert versions(project) == {}
    runs = client(project).search_runs(
        [client(project).get_experiment_by_name("opspec").experiment_id]
    )
    assert runs == []  # deleted runs are not listed


def test_leftovers_of_a_killed_registration_are_ignored_then_removed(
    context: Ctx, project: Path, stored_model: Callable[[str], str]
) -> None:
    ctx = context("model.clf")
    artifact = stored_model("a")
    request = _request(project, artifact, ctx)
    mlflow = client(project)
    experiment = register._experiment_id(mlflow, "opspec", request["artifact_location"])
    mlflow.create_registered_model("clf")
    # What a process killed right after creating the version leaves: a pending version.
    run_id = register._log_run(mlflow, experiment, request)
    mlflow.create_model_version(
        "clf",
        "file:///nowhere",
        run_id=run_id,
        tags={**request["version_tags"], "opspec.status": "pending"},
    )
    db = project / ".opspec" / "mlflow.db"
    assert read_version(db, "clf", 1) is not None and not read_version(db, "clf", 1).committed
    provider = ModelProvider(ctx)
    assert provider.read("clf", {**spec(artifact), "version": 1}).outs["version"] is None
    outs = create(provider, spec(artifact))
    assert outs["version"] == 2
    assert sorted(versions(project)) == [2]
    assert versions(project)[2]["opspec.status"] == "committed"


def test_parallel_registrations_share_a_fresh_registry(
    context: Ctx, project: Path, stored_model: Callable[[str], str]
) -> None:
    """The engine registers independent models at once; the first use creates the database."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [
        (ModelProvider(context(f"model.m{i}")), spec(stored_model(str(i)), name=f"m{i}"))
        for i in range(2)
    ]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda job: create(*job), jobs))
    assert [r["model_uri"] for r in results] == ["models:/m0/1", "models:/m1/1"]
