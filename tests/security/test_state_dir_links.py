"""Issue #11, reproduction 5: a ``.opspec`` shipped as a link never opens another project's state.

A pull request that ships ``.opspec`` (or ``.opspec/state.db``, ``.opspec/environment``) as a
symlink made the plan open, create and show another project's state. opspec now refuses with a
clear error (exit 1) before it opens anything there, and the other state is left as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import CliProject, isolated_env
from security_canaries import CANARY, CANARY_ENV, assert_no_canary


@pytest.fixture
def victim(tmp_path: Path) -> CliProject:
    """Another project on the same CI machine, with applied state holding the canary."""
    project = CliProject(tmp_path / "victim", {**isolated_env(tmp_path), CANARY_ENV: CANARY})
    project.write(f"""
        resources:
          null.prod:
            triggers: {{note: "{CANARY}"}}
    """)
    project.run("apply", "--auto-approve")
    project.run("workspace", "new", "prod")
    project.run("workspace", "select", "default")
    return project


def _link(pr: CliProject, victim: CliProject, which: str) -> None:
    state = pr.root / ".opspec"
    if which == ".opspec":
        state.symlink_to(victim.root / ".opspec")
        return
    state.mkdir()
    (state / which).symlink_to(victim.root / ".opspec" / which)


@pytest.mark.parametrize("which", [".opspec", "state.db", "environment"])
def test_a_linked_state_folder_or_file_is_refused(
    pr: CliProject, victim: CliProject, which: str
) -> None:
    before = {p: p.read_bytes() for p in (victim.root / ".opspec").iterdir() if p.is_file()}
    pr.write("resources:\n  null.a: {}\n")
    _link(pr, victim, which)
    runs = [
        pr.run("plan", "--untrusted", expect=1),
        pr.run("state", "list", expect=1),
        pr.run("workspace", "show", expect=1),
    ]
    for run in runs:
        assert "symbolic link" in run.stderr, run.describe()
        assert "null.prod" not in run.stdout + run.stderr, run.describe()
    assert_no_canary(runs)
    after = {p: p.read_bytes() for p in (victim.root / ".opspec").iterdir() if p.is_file()}
    assert after == before
