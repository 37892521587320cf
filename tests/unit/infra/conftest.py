"""Fixtures for the GPU infrastructure tests: a project, provider contexts, a fake nvidia-smi."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.providers import ProviderContext
from providers.infra.gpu_pool import GpuPoolProvider
from providers.infra.llm_service import LlmServiceProvider


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def _ctx(project: Path, address: str) -> ProviderContext:
    return ProviderContext(str(project), str(project / ".opspec"), address)


@pytest.fixture
def pool_provider(project: Path) -> GpuPoolProvider:
    return GpuPoolProvider(_ctx(project, "gpu_pool.a100"))


@pytest.fixture
def service_provider(project: Path) -> LlmServiceProvider:
    return LlmServiceProvider(_ctx(project, "llm_service.chat"))


@pytest.fixture
def kube_placement(pool_provider: GpuPoolProvider) -> dict[str, Any]:
    """The placement of a Kubernetes pool of 2 x A100 80GB nodes with an 8-GPU quota."""
    result = pool_provider.check(
        {},
        {
            "kind": "kubernetes",
            "accelerator": "A100:80GB:2",
            "max_gpus": 8,
            "taints": ["nvidia.com/gpu=present:NoSchedule"],
        },
    )
    assert result.failures == []
    placement: dict[str, Any] = result.inputs["placement"]
    return placement


@pytest.fixture
def fake_gpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """PATH without nvidia-smi; calling the fixture installs a fake one printing that CSV."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))  # hides a real nvidia-smi too
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)

    def install(csv: str) -> None:
        script = bin_dir / "nvidia-smi"
        lines = "".join(f"printf '%s\\n' '{line}'\n" for line in csv.splitlines())
        script.write_text(f"#!/bin/sh\n{lines}")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)

    return install
