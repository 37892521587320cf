"""Accelerator strings (dstack syntax) and the GPU feature discovery labels they select."""

from __future__ import annotations

import pytest

from providers.infra.gpu_products import GpuSelection, product_label, select_gpus
from specs.accelerator import AcceleratorError, parse_accelerator


def selection(text: str) -> GpuSelection:
    return select_gpus(parse_accelerator(text))


@pytest.mark.parametrize(
    ("text", "memory", "count", "labels"),
    [
        ("A100:80GB:2", 80, 2, ["NVIDIA-A100-80GB-PCIe", "NVIDIA-A100-SXM4-80GB"]),
        ("a100:40gb", 40, 1, ["NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-40GB"]),
        ("H100:8", None, 8, ["NVIDIA-H100-PCIe", "NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-NVL"]),
        ("A100-SXM4-80GB:4", None, 4, ["NVIDIA-A100-SXM4-80GB"]),
        ("NVIDIA-A10G", None, 1, ["NVIDIA-A10G"]),
        ("T4:16GB:1", 16, 1, ["Tesla-T4"]),
        ("L4", None, 1, ["NVIDIA-L4"]),
    ],
)
def test_parses_name_memory_and_count(
    text: str, memory: int | None, count: int, labels: list[str]
) -> None:
    accel = selection(text)
    assert (accel.accelerator.memory_gb, accel.accelerator.count, accel.labels) == (
        memory,
        count,
        labels,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is not an accelerator"),
        ("A100:80GB:2:1", "is not an accelerator"),
        ("A100:lots", "neither a memory size"),
        ("A100:2:80GB", "neither a memory size"),  # memory must come before the count
        ("A100:80GB:40GB", "neither a memory size"),
        ("A100:0", "at least 1"),
        ("9000", "not a GPU name"),
        ("Z999:2", "unknown GPU 'Z999'"),
        ("A100:24GB", "no A100 has 24GB"),
    ],
)
def test_rejects_what_does_not_parse(text: str, message: str) -> None:
    with pytest.raises(AcceleratorError, match=message):
        selection(text)


def test_memory_threshold_admits_boards_sold_at_that_size() -> None:
    threshold = selection("H100:80GB").memory_threshold_mib()
    assert threshold == 76292
    # An H100 80GB HBM3 reports 81559 MiB, an A100 80GB 81920 MiB: both above the threshold.
    assert threshold is not None and threshold < 81559 and threshold < 81920
    assert selection("H100").memory_threshold_mib() is None


def test_product_label_is_the_device_name_with_dashes() -> None:
    assert product_label("NVIDIA H100 80GB HBM3") == "NVIDIA-H100-80GB-HBM3"
    assert product_label("Tesla T4") == "Tesla-T4"
