"""Fixtures for the ML family's tests: a project folder with data and a context per address."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ml_fixtures import TORCH_MODULE, write_table

from engine.providers import ProviderContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write_table(root / "data" / "table.csv")
    (root / "user_train.py").write_text(TORCH_MODULE)
    return root


@pytest.fixture
def context(project: Path) -> Callable[[str], ProviderContext]:
    """A provider context for ``address`` in the project (state under ``.opspec``)."""

    def make(address: str = "test.resource", **settings: object) -> ProviderContext:
        return ProviderContext(str(project), str(project / ".opspec"), address, settings=settings)

    return make
