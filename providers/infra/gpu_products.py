"""The GPUs an accelerator (:mod:`specs.accelerator`, ``NAME[:MEMORY][:COUNT]``) selects.

``A100:80GB:2`` asks for nodes with two A100s of 80 GB each. On Kubernetes the NVIDIA GPU
feature discovery (GFD, part of the GPU operator) labels every GPU node with
``nvidia.com/gpu.product`` — the device name NVML reports with spaces turned into dashes — and
``nvidia.com/gpu.memory`` (MiB). The table below maps the short names people write to those
product labels:

=========  ==========================================================================
name       ``nvidia.com/gpu.product`` (memory)
=========  ==========================================================================
T4         Tesla-T4 (16 GB)
V100       Tesla-V100-SXM2-16GB, Tesla-V100-PCIE-16GB (16), Tesla-V100-SXM2-32GB,
           Tesla-V100-PCIE-32GB (32)
A10        NVIDIA-A10 (24)
A10G       NVIDIA-A10G (24)
L4         NVIDIA-L4 (24)
A40        NVIDIA-A40 (48)
L40        NVIDIA-L40 (48)
L40S       NVIDIA-L40S (48)
A6000      NVIDIA-RTX-A6000 (48)
A100       NVIDIA-A100-PCIE-40GB, NVIDIA-A100-SXM4-40GB (40), NVIDIA-A100-80GB-PCIe,
           NVIDIA-A100-SXM4-80GB (80)
H100       NVIDIA-H100-PCIe, NVIDIA-H100-80GB-HBM3 (80), NVIDIA-H100-NVL (94)
H200       NVIDIA-H200 (141), NVIDIA-H200-NVL (141)
=========  ==========================================================================

A product name may be written directly too (``A100-SXM4-80GB``, with or without the
``NVIDIA-``/``Tesla-`` prefix). A memory size keeps the products of that size. One matching
product becomes a ``nodeSelector``; several become a node-affinity ``In`` requirement. A memory
size also becomes the requirement ``nvidia.com/gpu.memory Gt N``, N being the size in decimal GB
in MiB (rounded down) minus one, 76292 for 80GB: boards sold as "80GB" report about 80 GiB, some
a little less (an H100 80GB HBM3 reports 81559 MiB), so a decimal threshold admits them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from specs.accelerator import Accelerator, AcceleratorError

__all__ = [
    "MEMORY_LABEL",
    "PRODUCT_LABEL",
    "GpuProduct",
    "GpuSelection",
    "product_label",
    "select_gpus",
]

PRODUCT_LABEL = "nvidia.com/gpu.product"
MEMORY_LABEL = "nvidia.com/gpu.memory"


@dataclass(frozen=True)
class GpuProduct:
    family: str
    label: str
    memory_gb: int


def _products() -> tuple[GpuProduct, ...]:
    table = {
        "T4": [("Tesla-T4", 16)],
        "V100": [
            ("Tesla-V100-SXM2-16GB", 16),
            ("Tesla-V100-PCIE-16GB", 16),
            ("Tesla-V100-SXM2-32GB", 32),
            ("Tesla-V100-PCIE-32GB", 32),
        ],
        "A10": [("NVIDIA-A10", 24)],
        "A10G": [("NVIDIA-A10G", 24)],
        "L4": [("NVIDIA-L4", 24)],
        "A40": [("NVIDIA-A40", 48)],
        "L40": [("NVIDIA-L40", 48)],
        "L40S": [("NVIDIA-L40S", 48)],
        "A6000": [("NVIDIA-RTX-A6000", 48)],
        "A100": [
            ("NVIDIA-A100-PCIE-40GB", 40),
            ("NVIDIA-A100-SXM4-40GB", 40),
            ("NVIDIA-A100-80GB-PCIe", 80),
            ("NVIDIA-A100-SXM4-80GB", 80),
        ],
        "H100": [
            ("NVIDIA-H100-PCIe", 80),
            ("NVIDIA-H100-80GB-HBM3", 80),
            ("NVIDIA-H100-NVL", 94),
        ],
        "H200": [("NVIDIA-H200", 141), ("NVIDIA-H200-NVL", 141)],
    }
    return tuple(GpuProduct(f, label, mem) for f, rows in table.items() for label, mem in rows)


PRODUCTS = _products()


@dataclass(frozen=True)
class GpuSelection:
    """The GPU products of one node that an accelerator matches."""

    accelerator: Accelerator
    products: tuple[GpuProduct, ...]

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.products]

    def memory_threshold_mib(self) -> int | None:
        """The ``Gt`` value for ``nvidia.com/gpu.memory``, or None without a memory size."""
        if self.accelerator.memory_gb is None:
            return None
        return self.accelerator.memory_gb * 10**9 // 2**20 - 1


def _strip_vendor(label: str) -> str:
    for prefix in ("NVIDIA-", "Tesla-"):
        if label.upper().startswith(prefix.upper()):
            return label[len(prefix) :]
    return label


def _lookup(name: str) -> tuple[GpuProduct, ...]:
    key = _strip_vendor(name.replace(" ", "-")).upper()
    by_family = tuple(p for p in PRODUCTS if p.family.upper() == key)
    if by_family:
        return by_family
    return tuple(p for p in PRODUCTS if _strip_vendor(p.label).upper() == key)


def select_gpus(accel: Accelerator) -> GpuSelection:
    """The products ``accel`` names; an :class:`AcceleratorError` when it names none."""
    if accel.is_range:
        raise AcceleratorError(
            "a pool's accelerator takes one memory size and one count per node, not a range"
        )
    products = _lookup(accel.name)
    if not products:
        known = ", ".join(sorted({p.family for p in PRODUCTS}))
        raise AcceleratorError(
            f"unknown GPU {accel.name!r}; known names: {known} (or a product such as "
            "A100-SXM4-80GB); for other hardware select nodes with `node_selector`"
        )
    if accel.memory_gb is not None:
        products = tuple(p for p in products if p.memory_gb == accel.memory_gb)
        if not products:
            raise AcceleratorError(f"no {accel.name} has {accel.memory_gb}GB of memory")
    return GpuSelection(accel, products)


def product_label(device_name: str) -> str:
    """The GFD product label of a device name as NVML reports it."""
    return device_name.strip().replace(" ", "-")
