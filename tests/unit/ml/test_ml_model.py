"""The model provider's plan-time side: settings, reading the registry's SQLite, lineage text.

Reading uses a database with the columns MLflow's tables have (the integration tests check the
same code against a registry MLflow itself wrote).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ml_fixtures import checked, failures

from engine.providers import ProviderContext
from providers.ml.model import ModelProvider
from providers.ml.registry_db import read_version, registry_settings, sqlite_path

Ctx = Callable[..., ProviderContext]
ARTIFACT = "artifact://sha256/" + "ab" * 32


def write_registry(db: Path, *, status: str = "committed", alias_version: int = 1) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(
            """
            CREATE TABLE model_versions (name TEXT, version INT, status TEXT, run_id TEXT);
            CREATE TABLE model_version_tags (key TEXT, value TEXT, name TEXT, version INT);
            CREATE TABLE registered_model_aliases (alias TEXT, version INT, name TEXT);
            """
        )
        conn.execute("INSERT INTO model_versions VALUES ('m', 1, 'READY', 'r1')")
        conn.executemany(
            "INSERT INTO model_version_tags VALUES (?, ?, 'm', 1)",
            [
                ("opspec.status", status),
                ("team", "ml"),
                ("opspec.address", "model.m"),
                ("opspec.workspace", "default"),
            ],
        )
        conn.execute(
            "INSERT INTO registered_model_aliases VALUES ('champion', ?, 'm')", (alias_version,)
        )


def stored(**extra: Any) -> dict[str, Any]:
    return {
        "name": "m",
        "artifact": ARTIFACT,
        "aliases": ["champion"],
        "tags": {"team": "ml"},
        "version": 1,
        **extra,
    }


def test_default_registry_is_sqlite_under_the_state_folder(project: Path) -> None:
    settings = registry_settings(str(project), str(project / ".opspec"), {})
    assert settings.tracking_uri == f"sqlite:///{project.resolve()}/.opspec/mlflow.db"
    assert sqlite_path(settings.tracking_uri) == project.resolve() / ".opspec" / "mlflow.db"
    assert settings.experiment == "opspec"


def test_relative_sqlite_uri_is_project_relative(project: Path) -> None:
    settings = registry_settings(
        str(project), str(project / ".opspec"), {"tracking_uri": "sqlite:///reg/mlflow.db"}
    )
    assert settings.tracking_uri == f"sqlite:///{project.resolve()}/reg/mlflow.db"
    assert sqlite_path("http://mlflow:5000") is None


@pytest.mark.parametrize(
    ("change", "prop", "reason"),
    [
        ({"artifact": "model.pkl"}, "artifact", "expected a model URI"),
        ({"aliases": ["champion", "champion"]}, "aliases.1", "listed twice"),
        ({"tags": {"opspec.address": "x"}}, "tags.opspec.address", "set by opspec"),
        ({"name": "bad name"}, "name", "should match pattern"),
        ({"aliases": ["9lives"]}, "aliases.0", "should match pattern"),
    ],
)
def test_bad_inputs_fail_at_plan(
    context: Ctx, change: dict[str, Any], prop: str, reason: str
) -> None:
    news = {"name": "m", "artifact": ARTIFACT, **change}
    found = failures(ModelProvider(context("model.m")), news)
    assert prop in found and reason in found[prop], found


def test_read_sees_the_registered_version_unchanged(context: Ctx, project: Path) -> None:
    write_registry(project / ".opspec" / "mlflow.db")
    provider = ModelProvider(context("model.m"))
    assert provider.read("m", stored()).outs == stored()


def test_read_reports_a_moved_alias_and_diff_updates(context: Ctx, project: Path) -> None:
    write_registry(project / ".opspec" / "mlflow.db", alias_version=2)
    provider = ModelProvider(context("model.m"))
    refreshed = provider.read("m", stored()).outs
    assert refreshed["aliases"] == []
    news = checked(provider, {k: v for k, v in stored().items() if k != "version"})
    diff = provider.diff("m", refreshed, news)
    assert diff.changes and not diff.replaces


def test_read_ignores_an_unfinished_registration(context: Ctx, project: Path) -> None:
    write_registry(project / ".opspec" / "mlflow.db", status="pending")
    provider = ModelProvider(context("model.m"))
    refreshed = provider.read("m", stored()).outs
    assert refreshed["version"] is None
    assert provider.diff("m", refreshed, stored()).changes


def test_read_of_a_deleted_database_is_drift(context: Ctx) -> None:
    assert ModelProvider(context("model.m")).read("m", stored()).outs["version"] is None


def test_read_of_a_remote_registry_trusts_the_state(context: Ctx) -> None:
    ctx = context("model.m", mlflow={"tracking_uri": "http://mlflow.internal:5000"})
    assert ModelProvider(ctx).read("m", stored()).outs == stored()


def test_read_version_of_a_file_that_is_no_database(tmp_path: Path) -> None:
    (tmp_path / "x.db").write_text("not sqlite")
    assert read_version(tmp_path / "x.db", "m", 1) is None


def test_delete_without_registered_versions_runs_no_job(context: Ctx, project: Path) -> None:
    ModelProvider(context("model.other")).delete("m", stored())
    write_registry(project / ".opspec" / "mlflow.db")
    ModelProvider(context("model.other")).delete("m", stored())  # versions belong to model.m
    assert not (project / ".opspec" / "runs").exists()


def test_changing_the_name_replaces_and_the_artifact_updates(context: Ctx) -> None:
    provider = ModelProvider(context("model.m"))
    assert provider.diff("m", stored(), {**stored(), "name": "n"}).replaces == ["name"]
    diff = provider.diff("m", stored(), {**stored(), "artifact": ARTIFACT.replace("ab", "cd")})
    assert diff.changes and not diff.replaces


def test_describe_renders_the_lineage(context: Ctx) -> None:
    outs = stored(
        tracking_uri="sqlite:////p/.opspec/mlflow.db",
        run_id="abc",
        lineage={
            "framework": "sklearn",
            "estimator": "sklearn.svm.SVC",
            "params": {"C": 2.0},
            "seed": 3,
            "dataset": "artifact://sha256/dd",
            "dataset_sha256": "ee" * 32,
            "metrics": {"accuracy": 0.97},
            "parent_run": {
                "address": "training_job.t",
                "run_id": "20260101T000000-aaaaaa",
                "log_path": "/p/.opspec/runs/training_job.t/log.txt",
            },
        },
    )
    text = ModelProvider(context("model.m")).describe(outs)
    assert text.splitlines()[0] == "m version 1 (aliases: champion)"
    for expected in (
        "sklearn sklearn.svm.SVC",
        "C=2.0; seed 3",
        "sha256 " + "ee" * 32,
        "accuracy=0.97",
        "training_job.t 20260101T000000-aaaaaa",
    ):
        assert expected in text
