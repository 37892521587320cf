"""The train/test split every job recomputes: deterministic, disjoint, stratified on labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ml_fixtures import write_table

from providers.ml.jobs.data import feature_columns, load_part, split_indices
from providers.ml.snapshot import plan_snapshot
from providers.ml.sources import resolve_path


def test_split_is_deterministic_and_disjoint() -> None:
    labels = np.array([0, 1] * 50)
    train, test = split_indices(labels, {"test": 0.2, "seed": 3})
    again = split_indices(labels, {"test": 0.2, "seed": 3})
    assert train.tolist() == again[0].tolist() and test.tolist() == again[1].tolist()
    assert set(train.tolist()).isdisjoint(test.tolist())
    assert sorted([*train.tolist(), *test.tolist()]) == list(range(100))
    assert len(test) == 20


def test_split_keeps_class_proportions() -> None:
    labels = np.array([0] * 90 + [1] * 10)
    _, test = split_indices(labels, {"test": 0.2, "seed": 0, "stratify": True})
    assert np.bincount(labels[test]).tolist() == [18, 2]


def test_another_seed_gives_another_split() -> None:
    labels = np.arange(100) % 2
    a = split_indices(labels, {"test": 0.3, "seed": 0})[1]
    b = split_indices(labels, {"test": 0.3, "seed": 1})[1]
    assert a.tolist() != b.tolist()


def test_continuous_targets_are_not_stratified() -> None:
    values = np.linspace(0.0, 1.0, 50)
    train, test = split_indices(values, {"test": 0.2, "seed": 0, "stratify": True})
    assert len(test) == 10 and len(train) == 40


def _stored(project: Path, split: dict[str, object] | None) -> Path:
    snap = plan_snapshot(resolve_path(str(project), "data/table.csv", None), "label", split)
    folder = project / "snap"
    folder.mkdir()
    snap.materialize(folder)
    return folder


def test_parts_of_a_snapshot_cover_the_table(tmp_path: Path) -> None:
    write_table(tmp_path / "data" / "table.csv", rows=40)
    folder = _stored(tmp_path, {"test": 0.25, "seed": 0, "stratify": True})
    train, _ = load_part(folder, "train")
    test, _ = load_part(folder, "test")
    everything, _ = load_part(folder, "all")
    assert (len(train), len(test), len(everything)) == (30, 10, 40)
    assert feature_columns(train, None, "label") == ["x1", "x2"]


def test_without_a_split_every_part_is_the_whole_table(tmp_path: Path) -> None:
    write_table(tmp_path / "data" / "table.csv", rows=12)
    folder = _stored(tmp_path, None)
    assert len(load_part(folder, "test")[0]) == 12


def test_unknown_columns_name_what_exists(tmp_path: Path) -> None:
    write_table(tmp_path / "data" / "table.csv", rows=4)
    frame, _ = load_part(_stored(tmp_path, None), "all")
    with pytest.raises(ValueError, match=r"'nope'.*columns: x1, x2, label"):
        feature_columns(frame, ["nope"], "label")
