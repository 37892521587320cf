"""This host's CPU and CUDA devices, found without importing torch (so planning stays fast).

GPUs come from ``nvidia-smi`` when it is on PATH (the driver's own tool; no CUDA runtime is
loaded), filtered by ``CUDA_VISIBLE_DEVICES`` when that lists indices. The CPU comes from
``/proc/cpuinfo`` and ``/proc/meminfo``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from providers.infra.gpu_products import product_label
from specs.infra import CpuInfo, GpuDevice

__all__ = ["detect_cpu", "detect_gpus", "parse_nvidia_smi"]

_QUERY = ["--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"]


def parse_nvidia_smi(text: str) -> list[GpuDevice]:
    """Devices from ``nvidia-smi --query-gpu=index,name,memory.total`` CSV output."""
    devices = []
    for line in text.splitlines():
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != 3 or not fields[0].isdigit():
            continue
        memory = fields[2].split()[0] if fields[2] else ""
        devices.append(
            GpuDevice(
                index=int(fields[0]),
                name=fields[1],
                memory_mib=int(memory) if memory.isdigit() else 0,
                product=product_label(fields[1]),
            )
        )
    return devices


def _visible(devices: list[GpuDevice]) -> list[GpuDevice]:
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return devices
    if visible.strip() in ("", "-1"):
        return []
    tokens = [t.strip() for t in visible.split(",")]
    if not all(t.isdigit() for t in tokens):
        return devices  # UUIDs or MIG names: nvidia-smi's view is the best we have
    wanted = [int(t) for t in tokens]
    by_index = {d.index: d for d in devices}
    return [by_index[i] for i in wanted if i in by_index]


def detect_gpus(timeout_s: float = 10.0) -> list[GpuDevice]:
    """The CUDA devices visible to processes on this host (none without ``nvidia-smi``)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, *_QUERY], capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:
        return []
    return _visible(parse_nvidia_smi(done.stdout))


def _cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model", "Hardware") and value.strip():
            return value.strip()
    return "unknown"


def _mem_total_mib(meminfo: str) -> int:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 0


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def detect_cpu() -> CpuInfo:
    """This host's CPU model, usable cores and memory."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return CpuInfo(
        model=_cpu_model(_read("/proc/cpuinfo")),
        cores=cores,
        memory_mib=_mem_total_mib(_read("/proc/meminfo")),
    )
