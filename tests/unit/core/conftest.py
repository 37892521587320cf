"""Fixtures for provider unit tests: a throwaway project directory and its context."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.providers import ProviderContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def ctx(project: Path) -> ProviderContext:
    return ProviderContext(str(project), str(project / ".opspec"), "test.resource")
