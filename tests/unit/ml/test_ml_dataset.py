"""The dataset provider: plan-time hashing, snapshots at the planned URI, drift and profiles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ml_fixtures import apply, checked, failures, run_dirs

from engine.artifacts import ArtifactStore
from engine.providers import ProviderContext
from providers.ml.dataset import DatasetProvider
from providers.ml.errors import DataChangedError

Ctx = Callable[..., ProviderContext]


def test_check_knows_sha256_and_uri_at_plan_time(context: Ctx) -> None:
    inputs = checked(DatasetProvider(context()), {"path": "data/table.csv", "target": "label"})
    assert len(inputs["sha256"]) == 64
    assert inputs["uri"].startswith("artifact://sha256/")


def test_sklearn_source_defaults_its_target(context: Ctx) -> None:
    inputs = checked(DatasetProvider(context()), {"source": "sklearn:iris"})
    assert inputs["target"] == "target"


@pytest.mark.parametrize(
    ("news", "prop", "reason"),
    [
        ({"path": "data/missing.csv"}, "path", "data file not found"),
        ({}, "path", "exactly one of"),
        ({"path": "data/table.csv", "source": "sklearn:iris"}, "path", "exactly one of"),
        ({"path": "data/table.csv", "target": "species"}, "target", "no column 'species'"),
        ({"source": "sklearn:iris", "format": "parquet"}, "format", "CSV"),
        ({"path": "data/table.csv", "split": {"test": 1.5}}, "split.test", "less than 1"),
        ({"path": "data/table.csv", "splits": {}}, "splits", "Extra inputs"),
    ],
)
def test_bad_inputs_fail_on_the_precise_property(
    context: Ctx, news: dict[str, object], prop: str, reason: str
) -> None:
    found = failures(DatasetProvider(context()), news)
    assert prop in found and reason in found[prop], found


def test_create_stores_the_snapshot_at_the_planned_uri(context: Ctx, project: Path) -> None:
    provider = DatasetProvider(context("dataset.table"))
    inputs = checked(
        provider, {"path": "data/table.csv", "target": "label", "split": {"test": 0.25}}
    )
    result = provider.create(inputs)
    assert result.id == "data/table.csv"
    outs = result.outs
    assert outs["uri"] == inputs["uri"]
    assert ArtifactStore(project / ".opspec" / "artifacts").exists(outs["uri"])
    assert (outs["rows"], outs["columns"], outs["train_rows"], outs["test_rows"]) == (40, 3, 30, 10)
    assert outs["column_names"] == ["x1", "x2", "label"]
    assert outs["dtypes"] == {"x1": "float64", "x2": "float64", "label": "int64"}


def test_profile_is_cached_by_content(context: Ctx, project: Path) -> None:
    provider = DatasetProvider(context("dataset.table"))
    first = apply(provider, {"path": "data/table.csv"})
    again = apply(provider, {"path": "data/table.csv"})
    assert again == first
    assert len(run_dirs(project, "dataset.table")) == 1


def test_edit_between_plan_and_apply_is_refused(context: Ctx, project: Path) -> None:
    provider = DatasetProvider(context())
    inputs = checked(provider, {"path": "data/table.csv"})
    with (project / "data" / "table.csv").open("a") as f:
        f.write("9.5,9.5,1\n")
    with pytest.raises(DataChangedError, match="changed since the plan"):
        provider.create(inputs)


def test_read_rehashes_so_an_edit_is_drift(context: Ctx, project: Path) -> None:
    provider = DatasetProvider(context())
    outs = apply(provider, {"path": "data/table.csv"})
    assert provider.read("data/table.csv", outs).outs == outs
    with (project / "data" / "table.csv").open("a") as f:
        f.write("9.5,9.5,1\n")
    refreshed = provider.read("data/table.csv", outs).outs
    assert refreshed["sha256"] != outs["sha256"]
    # The stored snapshot still exists, so the uri stays until an apply stores the new one.
    assert refreshed["uri"] == outs["uri"]
    news = checked(provider, {"path": "data/table.csv"})
    diff = provider.diff("data/table.csv", refreshed, news)
    assert diff.changes and not diff.replaces


def test_read_reports_a_lost_snapshot(context: Ctx, project: Path) -> None:
    provider = DatasetProvider(context())
    outs = apply(provider, {"path": "data/table.csv"})
    ArtifactStore(project / ".opspec" / "artifacts").gc(keep=[])
    assert provider.read("data/table.csv", outs).outs["uri"] == ""


def test_unchanged_inputs_diff_to_nothing(context: Ctx) -> None:
    provider = DatasetProvider(context())
    outs = apply(provider, {"path": "data/table.csv"})
    news = checked(provider, {"path": "data/table.csv"})
    assert not provider.diff("x", outs, news).changes
    # Writing a default explicitly changes nothing either.
    with_default = checked(provider, {"path": "data/table.csv", "format": None})
    assert not provider.diff("x", outs, with_default).changes


def test_jsonl_and_parquet_are_read(context: Ctx, project: Path) -> None:
    (project / "data" / "rows.jsonl").write_text('{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n')
    outs = apply(DatasetProvider(context("dataset.j")), {"path": "data/rows.jsonl"})
    assert (outs["rows"], outs["column_names"]) == (2, ["a", "b"])
    import pandas as pd

    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(project / "data" / "rows.parquet")
    outs = apply(DatasetProvider(context("dataset.p")), {"path": "data/rows.parquet"})
    assert (outs["rows"], outs["columns"]) == (3, 1)
