"""Fixtures for the ML family's integration tests: a project with a model artifact stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.artifacts import ArtifactStore
from engine.providers import ProviderContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


@pytest.fixture
def context(project: Path) -> Callable[[str], ProviderContext]:
    def make(address: str) -> ProviderContext:
        return ProviderContext(str(project), str(project / ".opspec"), address)

    return make


@pytest.fixture
def stored_model(project: Path, tmp_path: Path) -> Callable[[str], str]:
    """Put a model folder (distinguished by ``tag``) into the store; return its URI."""

    def put(tag: str) -> str:
        folder = tmp_path / f"model-{tag}"
        folder.mkdir(exist_ok=True)
        (folder / "model.bin").write_text(f"weights {tag}")
        meta = {
            "framework": "sklearn",
            "task": "classification",
            "estimator": "sklearn.svm.SVC",
            "params": {"C": 1.0},
            "seed": 0,
            "dataset_sha256": "ab" * 32,
        }
        (folder / "meta.json").write_text(json.dumps(meta))
        return ArtifactStore(project / ".opspec" / "artifacts").put(folder)

    return put
