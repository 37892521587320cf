"""What every job of the family needs from the heavy stack: its imports and its device."""

from __future__ import annotations

import importlib
from typing import Any

from providers.llm.errors import DeviceUnavailableError
from specs.llm import Device

__all__ = ["job_device", "untyped"]


def untyped(module: str) -> Any:
    """Import a heavy library inside a job, typed ``Any``: its annotations are partial, and
    strict typing of calls into it would only add noise."""
    return importlib.import_module(module)


def job_device(device: str) -> str:
    """The device a job uses: ``auto`` is CUDA when torch sees a GPU, else the CPU."""
    import torch

    if device == Device.AUTO:
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == Device.CUDA and not torch.cuda.is_available():
        raise DeviceUnavailableError("device cuda was requested but torch sees no CUDA device")
    return device
