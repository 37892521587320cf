"""Fixtures for the CLI end-to-end tests: a project directory with an isolated environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import CliProject, isolated_env


@pytest.fixture
def cli(tmp_path: Path) -> CliProject:
    """An empty project under ``tmp_path``; its secrets key file lives in ``tmp_path`` too."""
    return CliProject(tmp_path / "project", isolated_env(tmp_path))
