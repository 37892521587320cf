"""Fixtures for the security tests: a pull request's project, run through the real CLI, with
canary secrets in the environment and outside the project that no output may ever contain."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The CLI harness of the end-to-end tests drives `opspec` in a subprocess; reuse it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from cli_harness import CliProject, isolated_env
from security_canaries import CANARY, CANARY_ENV


@pytest.fixture
def cli(tmp_path: Path) -> CliProject:
    """An empty project under ``tmp_path``; its secrets key file lives in ``tmp_path`` too."""
    return CliProject(tmp_path / "project", isolated_env(tmp_path))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project holding a file whose content is the canary."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.csv").write_text(f"{CANARY},b\n1,2\n")
    return folder


@pytest.fixture
def pr(tmp_path: Path) -> CliProject:
    """The pull request's project; the environment holds a CI token (the canary)."""
    env = {**isolated_env(tmp_path), CANARY_ENV: CANARY}
    return CliProject(tmp_path / "pr", env)
