"""Fixtures for the security tests: the CLI harness of the end-to-end tests, for attacks that
go through the command line the way a pull request's plan in CI does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from cli_harness import CliProject, isolated_env


@pytest.fixture
def cli(tmp_path: Path) -> CliProject:
    """An empty project under ``tmp_path``; its secrets key file lives in ``tmp_path`` too."""
    return CliProject(tmp_path / "project", isolated_env(tmp_path))
