"""Which device a job runs on, decided without importing torch at plan time.

``auto`` means CUDA when an NVIDIA GPU is visible, else the CPU. At plan time the answer comes
from the driver's files (``/proc/driver/nvidia``, ``/dev/nvidia*``) or ``CUDA_VISIBLE_DEVICES``;
inside a job it comes from ``torch.cuda.is_available()``.
"""

from __future__ import annotations

import os
from pathlib import Path

from specs.llm import Device


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


def job_device(device: str) -> str:
    """The device a job uses (inside the child process; imports torch)."""
    import torch

    if device == Device.AUTO:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == Device.CUDA and not torch.cuda.is_available():
        raise RuntimeError("device cuda was requested but torch sees no CUDA device")
    return device
