"""Fixtures for the monitors family: a project directory, contexts, and synthetic series."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.providers import ProviderContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def make_ctx(project: Path) -> Callable[..., ProviderContext]:
    def make(address: str, settings: dict[str, Any] | None = None) -> ProviderContext:
        return ProviderContext(
            str(project), str(project / ".opspec"), address, settings=settings or {}
        )

    return make
