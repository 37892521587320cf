"""Fixtures for policy tests: a throwaway project with a `policies/` directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "policies").mkdir(parents=True)
    return root
