"""Locating and hashing data at plan time: files, folders, pkg: data and scikit-learn's datasets."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from engine.artifacts import URI_PREFIX
from engine.hashing import sha256_file, sha256_tree
from providers.ml.errors import SourceError
from providers.ml.snapshot import MANIFEST, plan_snapshot, tree_digest
from providers.ml.sources import (
    SKLEARN_DATASETS,
    column_names,
    resolve_path,
    resolve_sklearn,
)
from specs.ml import DataFormat

EXPECTED_SHAPES = {
    "iris": (150, 5),
    "breast_cancer": (569, 31),
    "wine": (178, 14),
    "digits": (1797, 65),
    "diabetes": (442, 11),
}


@pytest.mark.parametrize("name", sorted(SKLEARN_DATASETS))
def test_sklearn_dataset_becomes_a_named_csv(name: str) -> None:
    source = resolve_sklearn(f"sklearn:{name}")
    assert source.inline is not None
    rows = list(csv.reader(io.StringIO(source.inline.decode())))
    header, body = rows[0], rows[1:]
    assert (len(body), len(header)) == EXPECTED_SHAPES[name]
    assert header[-1] == "target"
    assert column_names(source) == header
    # Same bytes on every plan, so the hash is a stable cache input.
    assert resolve_sklearn(f"sklearn:{name}").inline == source.inline


def test_unknown_sklearn_dataset_names_the_known_ones() -> None:
    with pytest.raises(SourceError) as err:
        resolve_sklearn("sklearn:irsi")
    assert err.value.field == "source"
    assert "sklearn:iris" in err.value.reason


def test_missing_file_is_an_error_on_path(project: Path) -> None:
    with pytest.raises(SourceError) as err:
        resolve_path(str(project), "data/nope.csv", None)
    assert (err.value.field, err.value.reason) == ("path", "data file not found: data/nope.csv")


def test_symlink_out_of_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n")
    os.symlink(outside, project / "data" / "link.csv")
    with pytest.raises(SourceError, match="leaves the project"):
        resolve_path(str(project), "data/link.csv", None)


def test_parent_escape_is_refused(project: Path) -> None:
    with pytest.raises(SourceError, match="escapes the project"):
        resolve_path(str(project), "../elsewhere.csv", None)


def test_pkg_uri_reads_data_inside_a_distribution() -> None:
    source = resolve_path("/nonexistent", "pkg:scikit-learn/sklearn/datasets/data/iris.csv", None)
    (path,) = source.files.values()
    assert path.name == "iris.csv" and source.format is DataFormat.CSV


def test_pkg_uri_cannot_leave_the_distribution() -> None:
    with pytest.raises(SourceError):
        resolve_path("/nonexistent", "pkg:scikit-learn/../../etc/passwd", None)


def test_format_is_inferred_or_must_be_given(project: Path) -> None:
    (project / "data" / "t.tsv").write_text("a\tb\n1\t2\n")
    assert resolve_path(str(project), "data/t.tsv", None).format is DataFormat.TSV
    (project / "data" / "t.txt").write_text("a,b\n1,2\n")
    with pytest.raises(SourceError) as err:
        resolve_path(str(project), "data/t.txt", None)
    assert err.value.field == "format"
    assert resolve_path(str(project), "data/t.txt", DataFormat.CSV).format is DataFormat.CSV


def test_folder_takes_the_data_files_and_skips_others(project: Path) -> None:
    folder = project / "data" / "parts"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"x": 1, "y": 0}\n')
    (folder / "b.jsonl").write_text('{"x": 2, "y": 1}\n')
    (folder / "README.md").write_text("not data")
    source = resolve_path(str(project), "data/parts", None)
    assert sorted(source.files) == ["data/a.jsonl", "data/b.jsonl"]
    assert column_names(source) == ["x", "y"]


def test_planned_uri_is_what_the_store_computes(project: Path, tmp_path: Path) -> None:
    source = resolve_path(str(project), "data/table.csv", None)
    snap = plan_snapshot(source, "label", {"test": 0.25, "seed": 1, "stratify": True})
    assert snap.sha256 == sha256_file(project / "data" / "table.csv")
    folder = tmp_path / "snap"
    folder.mkdir()
    snap.materialize(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv", MANIFEST]
    assert snap.uri == URI_PREFIX + sha256_tree(folder)


def test_tree_digest_matches_sha256_tree_for_nested_folders(tmp_path: Path) -> None:
    files = {"b.txt": b"2", "a/z.txt": b"3", "a.txt": b"1", "a/b/c.txt": b"4"}
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    hashes = {name: sha256_file(tmp_path / name) for name in files}
    assert tree_digest(hashes) == sha256_tree(tmp_path)


def test_moving_the_file_keeps_the_uri_and_an_edit_changes_it(project: Path) -> None:
    first = plan_snapshot(resolve_path(str(project), "data/table.csv", None), "label", None)
    (project / "data" / "table.csv").rename(project / "moved.csv")
    moved = plan_snapshot(resolve_path(str(project), "moved.csv", None), "label", None)
    assert moved.uri == first.uri
    with (project / "moved.csv").open("a") as f:
        f.write("1.5,2.5,1\n")
    edited = plan_snapshot(resolve_path(str(project), "moved.csv", None), "label", None)
    assert edited.uri != first.uri and edited.sha256 != first.sha256
