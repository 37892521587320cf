"""Which device a job will run on, decided at plan time without importing torch.

``auto`` means CUDA when an NVIDIA GPU is visible, else the CPU. The answer comes from the
driver's files (``/proc/driver/nvidia``, ``/dev/nvidia*``) or ``CUDA_VISIBLE_DEVICES``; inside
a job, :func:`providers.llm.jobs.runtime.job_device` asks torch instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from specs.llm import Device

__all__ = ["cuda_visible", "plan_device"]


def cuda_visible() -> bool:
    """Whether this host shows an NVIDIA GPU to processes (cheap; no torch)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    return Path("/proc/driver/nvidia/version").exists() or Path("/dev/nvidia0").exists()


def plan_device(device: Device) -> str:
    """The device ``device`` resolves to on this host, as far as planning can tell."""
    if device is Device.AUTO:
        return "cuda" if cuda_visible() else "cpu"
    return device.value
