"""Fixtures for the LLM family's plan-time tests: a project, its context, fake model folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from llm_fakes import write_model_folder

from engine.artifacts import ArtifactStore
from engine.providers import ProviderContext


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "data" / "train.txt").write_text("first document\n\nsecond document\n")
    return root


@pytest.fixture
def ctx(project: Path) -> ProviderContext:
    return ProviderContext(str(project), str(project / ".opspec"), "test.resource")


@pytest.fixture
def no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("providers.llm.device.cuda_visible", lambda: False)


@pytest.fixture
def stored_model(ctx: ProviderContext, tmp_path: Path) -> Callable[[int], str]:
    """Put a fake model folder with the given context length into the store; return its URI."""

    def put(context: int) -> str:
        folder = write_model_folder(tmp_path / f"model-{context}", context=context)
        return ArtifactStore(ctx.artifacts_dir).put(folder)

    return put
