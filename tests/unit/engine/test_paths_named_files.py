"""``resolve_if_in_project``: a file the operator names (``--var-file``, a policy folder) is the
change's when it lies in the project, and then falls under the one path rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.providers.paths import PathEscapeError, resolve_if_in_project


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "sub").mkdir(parents=True)
    outside.mkdir()
    (project / "sub" / "vars.yaml").write_text("a: 1\n")
    (outside / "vars.yaml").write_text("a: 2\n")
    return project, outside


def test_a_file_in_the_project_is_resolved(tree: tuple[Path, Path]) -> None:
    project, _ = tree
    (project / "alias.yaml").symlink_to(project / "sub" / "vars.yaml")
    assert (
        resolve_if_in_project(project, project / "alias.yaml")
        == (project / "sub" / "vars.yaml").resolve()
    )


@pytest.mark.parametrize("link", ["vars.yaml", "sub/vars-link.yaml", "linked-folder/vars.yaml"])
def test_a_link_in_the_project_that_leaves_it_is_refused(
    tree: tuple[Path, Path], link: str
) -> None:
    project, outside = tree
    if link.startswith("linked-folder"):
        (project / "linked-folder").symlink_to(outside)
    else:
        (project / link).symlink_to(outside / "vars.yaml")
    with pytest.raises(PathEscapeError, match="leaves the project"):
        resolve_if_in_project(project, project / link)


def test_a_file_outside_is_the_operators_and_read_as_named(tree: tuple[Path, Path]) -> None:
    project, outside = tree
    assert resolve_if_in_project(project, outside / "vars.yaml") is None


def test_a_link_from_outside_into_the_project_is_the_changes(tree: tuple[Path, Path]) -> None:
    project, outside = tree
    (outside / "into.yaml").symlink_to(project / "sub" / "vars.yaml")
    assert (
        resolve_if_in_project(project, outside / "into.yaml")
        == (project / "sub" / "vars.yaml").resolve()
    )
