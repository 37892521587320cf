"""Finding this host's CPU and CUDA devices without torch."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from providers.infra.devices import detect_cpu, detect_gpus, parse_nvidia_smi

SMI = "0, NVIDIA H100 80GB HBM3, 81559\n1, NVIDIA H100 80GB HBM3, 81559\n2, Tesla T4, 15360"


def test_parses_nvidia_smi_csv() -> None:
    devices = parse_nvidia_smi(SMI + "\nNo devices were found\n")
    assert [(d.index, d.product, d.memory_mib) for d in devices] == [
        (0, "NVIDIA-H100-80GB-HBM3", 81559),
        (1, "NVIDIA-H100-80GB-HBM3", 81559),
        (2, "Tesla-T4", 15360),
    ]


def test_no_nvidia_smi_means_no_gpus(fake_gpus: Callable[[str], None]) -> None:
    assert detect_gpus() == []


def test_detects_gpus_through_nvidia_smi(
    fake_gpus: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gpus(SMI)
    assert [d.index for d in detect_gpus()] == [0, 1, 2]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,0")
    assert [d.index for d in detect_gpus()] == [2, 0]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert detect_gpus() == []


def test_detects_the_cpu() -> None:
    cpu = detect_cpu()
    assert cpu.cores >= 1
    assert cpu.memory_mib > 0
    assert cpu.model
