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

from engine import redaction
from engine.errors import JobError
from engine.private_paths import make_private_dir

# The child's environment variable holding the keyword arguments that must not reach the
# run folder (a command's text can hold secrets); the child removes it before the job runs.
PRIVATE_KWARGS_ENV = "OPSPEC_JOB_PRIVATE_KWARGS"

# Set by the apply walk on a second Ctrl-C: every running job is stopped.
_CANCEL = threading.Event()

_POLL_S = 0.05
# How long the log may still be read after the job ended (a process it started in the
# background can hold the pipe open).
_LOG_DRAIN_S = 5.0


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
    code_dir: Path | None = None,
    private_kwargs: dict[str, Any] | None = None,
) -> JobResult:
    """Call ``target`` (``module:function``) with ``kwargs`` in a child interpreter.

    ``code_dir`` is where user code named ``module:function`` is found (the project): only a
    job that runs user code gets it on ``sys.path``, after the libraries, so a project file
    named like a library (``pandas.py``) shadows nothing. ``private_kwargs`` reach the
    callable like ``kwargs`` but through the child's environment, never the request file.
    Every line of the log, and the result file, have known secrets redacted.

    Raises :class:`JobError` when the callable raises, the process dies, the timeout passes or
    the run is cancelled; the message carries the exit status and the end of the log.
    """
    run_dir = _new_run_dir(runs_dir, address)
    log_path = run_dir / "log.txt"
    result_path = run_dir / "result.json"
    request = _write_request(run_dir, target, kwargs, result_path, code_dir)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "engine.jobs.child", str(request)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=_child_env(env, private_kwargs),
        cwd=cwd,
        start_new_session=True,  # a Ctrl-C in the terminal reaches the engine, not the job
    )
    logger = threading.Thread(target=_copy_log, args=(proc, log_path), daemon=True)
    logger.start()
    reason = _wait(proc, started, timeout_s)
    logger.join(timeout=_LOG_DRAIN_S)
    duration = time.monotonic() - started
    value = _job_value(address, proc, reason, log_path, result_path)
    return JobResult(value, run_dir, log_path, duration)


def _new_run_dir(runs_dir: Path, address: str) -> Path:
    """A private folder of its own for this run: ``runs/<address>/<time>-<random>``."""
    run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    run_dir = runs_dir / _safe_dir_name(address) / run_id
    make_private_dir(run_dir)  # the request and the log may hold what a job should not show
    return run_dir


def _write_request(
    run_dir: Path,
    target: str,
    kwargs: dict[str, Any],
    result_path: Path,
    code_dir: Path | None,
) -> Path:
    """The request file the child reads: what to call, with what, and where to answer."""
    request = run_dir / "request.json"
    request.write_text(
        json.dumps(
            {
                "target": target,
                "kwargs": kwargs,
                "result": str(result_path),
                "path": None if code_dir is None else str(code_dir),
            }
        )
    )
    return request


def _child_env(env: dict[str, str] | None, private_kwargs: dict[str, Any] | None) -> dict[str, str]:
    child_env = dict(os.environ)
    child_env.update(env or {})
    child_env["PYTHONUNBUFFERED"] = "1"
    if private_kwargs:
        child_env[PRIVATE_KWARGS_ENV] = json.dumps(private_kwargs)
    return child_env


def _job_value(
    address: str,
    proc: subprocess.Popen[bytes],
    stopped: str,
    log_path: Path,
    result_path: Path,
) -> Any:
    """The value the job returned; :class:`JobError` when it was stopped, failed or wrote none."""
    if stopped:
        raise JobError(f"{address}: job {stopped}; log {log_path}\n{_tail(log_path)}")
    if proc.returncode != 0:
        raise JobError(
            f"{address}: job exited with status {proc.returncode}; log {log_path}\n"
            f"{_tail(log_path)}"
        )
    try:
        return json.loads(_read_redacted(result_path))
    except (OSError, ValueError) as exc:
        raise JobError(f"{address}: job wrote no result ({exc}); log {log_path}") from exc


def _copy_log(proc: subprocess.Popen[bytes], log_path: Path) -> None:
    """Write the child's output to its log line by line, known secrets redacted."""
    assert proc.stdout is not None
    with proc.stdout, log_path.open("w", encoding="utf-8", errors="replace") as log:
        for raw in iter(proc.stdout.readline, b""):
            log.write(redaction.redact(raw.decode("utf-8", errors="replace")))
            log.flush()


def _read_redacted(result_path: Path) -> str:
    """The result file's text; a copy with known secrets redacted replaces it on disk (the
    value itself goes to state, where secrets are sealed)."""
    text = result_path.read_text()
    shown = redaction.redact(text)
    if shown != text:
        result_path.write_text(shown)
    return text


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
