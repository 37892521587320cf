"""Callables the job-runner tests run in child processes (imported there by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def add(a: int, b: int) -> dict[str, Any]:
    print(f"adding {a} and {b}")
    return {"sum": a + b, "cwd": os.getcwd()}


def fail(message: str) -> None:
    print("about to fail", flush=True)
    raise ValueError(message)


def crash(status: int) -> None:
    print("crashing", flush=True)
    os._exit(status)


def sleep(seconds: float, marker: str) -> None:
    Path(marker).write_text(str(os.getpid()))
    time.sleep(seconds)


def not_json() -> object:
    return object()


def environment(name: str) -> str | None:
    return os.environ.get(name)
