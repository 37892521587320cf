"""Run a Python callable in a child process, with a log, a timeout and cancellation."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import JobError
from engine.private_paths import make_private_dir

# Set by the apply walk on a second Ctrl-C: every running job is stopped.
_CANCEL = threading.Event()

_POLL_S = 0.05


def cancel_all_jobs() -> None:
    """Ask every running job of this process to stop (their calls raise JobError)."""
    _CANCEL.set()


def reset_cancellation() -> None:
    _CANCEL.clear()


@dataclass(frozen=True)
class JobResult:
    value: Any
    run_dir: Path
    log_path: Path
    duration_s: float


def _safe_dir_name(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", address).strip("_") or "job"


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def run_job(
    runs_dir: Path,
    address: str,
    target: str,
    kwargs: dict[str, Any],
    *,
    timeout_s: float | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> JobResult:
    """Call ``target`` (``module:function``) with ``kwargs`` in a child interpreter.

    Raises :class:`JobError` when the callable raises, the process dies, the timeout passes or
    the run is cancelled; the message carries the exit status and the end of the log.
    """
    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    run_dir = runs_dir / _safe_dir_name(address) / run_id
    make_private_dir(run_dir)  # the request and the log may hold what a job should not show
    log_path = run_dir / "log.txt"
    request = run_dir / "request.json"
    result_path = run_dir / "result.json"
    # User code named `module:function` resolves against the project directory: the child
    # puts it first on sys.path, but only once opspec's own packages are imported, so a
    # project folder named `engine/` or `specs/` cannot shadow them (`-P` keeps the cwd off).
    request.write_text(
        json.dumps(
            {
                "target": target,
                "kwargs": kwargs,
                "result": str(result_path),
                "path": None if cwd is None else str(cwd),
            }
        )
    )
    child_env = dict(os.environ)
    child_env.update(env or {})
    child_env["PYTHONUNBUFFERED"] = "1"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "engine.jobs.child", str(request)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env,
            cwd=cwd,
            start_new_session=True,  # a Ctrl-C in the terminal reaches the engine, not the job
        )
        reason = _wait(proc, started, timeout_s)
    duration = time.monotonic() - started
    if reason:
        raise JobError(f"{address}: job {reason}; log {log_path}\n{_tail(log_path)}")
    if proc.returncode != 0:
        raise JobError(
            f"{address}: job exited with status {proc.returncode}; log {log_path}\n"
            f"{_tail(log_path)}"
        )
    try:
        value = json.loads(result_path.read_text())
    except (OSError, ValueError) as exc:
        raise JobError(f"{address}: job wrote no result ({exc}); log {log_path}") from exc
    return JobResult(value, run_dir, log_path, duration)


def _wait(proc: subprocess.Popen[bytes], started: float, timeout_s: float | None) -> str:
    """Wait for ``proc``; return why it was stopped, or "" when it ended by itself."""
    while True:
        try:
            proc.wait(timeout=_POLL_S)
            return ""
        except subprocess.TimeoutExpired:
            pass
        if _CANCEL.is_set():
            _kill(proc)
            return "cancelled"
        if timeout_s is not None and time.monotonic() - started > timeout_s:
            _kill(proc)
            return f"timed out after {timeout_s:g}s"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()
