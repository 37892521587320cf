"""Starting, watching and stopping detached local server processes.

A server outlives the ``opspec`` run that started it: it gets its own session (so a Ctrl-C in
the terminal does not reach it), stdin from /dev/null and its output in a log file under
``.opspec/runs/<address>/``. Later runs know it by pid, and check that the pid still is *our*
server on *that* port (its command line), so a recycled pid is never mistaken for it, and a
zombie never counts as alive.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from providers.infra.errors import PortInUseError, ServerError

__all__ = [
    "SERVER_MODULE",
    "find_server",
    "health_ok",
    "is_server",
    "log_tail",
    "port_in_use",
    "start_server",
    "stop_server",
    "wait_healthy",
]

SERVER_MODULE = "providers.infra.jobs.server"
_POLL_S = 0.2
# Servers started by this process, kept so their exit status is collected (no zombies).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port`` (binding is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def start_server(
    *,
    model_dir: Path,
    host: str,
    port: int,
    device: str,
    extra_args: Sequence[str],
    log_path: Path,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> int:
    """Start the server detached and return its pid (it is not ready yet: wait for health)."""
    if port_in_use(host, port):
        raise PortInUseError(f"port {port} on {host} is in use by another process")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        SERVER_MODULE,
        "--model",
        str(model_dir),
        "--host",
        host,
        "--port",
        str(port),
        "--device",
        device,
        *extra_args,
    ]
    child_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=child_env,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    return proc.pid


def _exited(pid: int) -> bool:
    proc = _CHILDREN.get(pid)
    if proc is not None:
        return proc.poll() is not None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def _argv(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def _option(argv: list[bytes], flag: str) -> bytes | None:
    return next((b for a, b in itertools.pairwise(argv) if a == flag.encode()), None)


def _serves(argv: list[bytes], port: int, name: str | None) -> bool:
    if SERVER_MODULE.encode() not in argv or _option(argv, "--port") != str(port).encode():
        return False
    return name is None or _option(argv, "--name") == name.encode()


def is_server(pid: int | None, port: int) -> bool:
    """Whether ``pid`` is a live server of ours listening on ``port``."""
    if not pid or _exited(pid):
        return False
    return _serves(_argv(pid), port, None)


def find_server(port: int, name: str, cwd: Path) -> int | None:
    """The pid of the live server named ``name`` on ``port`` started in ``cwd``, if any.

    Plans know a service by its inputs only, not by the pid its create recorded; this is how a
    plan tells the service's own running server from another process holding the port.
    """
    root = cwd.resolve()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not _serves(_argv(int(entry.name)), port, name):
            continue
        try:
            same_project = Path(os.readlink(entry / "cwd")) == root
        except OSError:
            continue
        if same_project and not _exited(int(entry.name)):
            return int(entry.name)
    return None


def health_ok(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_healthy(pid: int, health_url: str, timeout_s: float, log_path: Path) -> None:
    """Wait until ``health_url`` answers 200; on exit or timeout stop it and raise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _exited(pid):
            code = _CHILDREN[pid].returncode if pid in _CHILDREN else None
            raise ServerError(
                f"the server exited (status {code}) before it was ready; log {log_path}:\n"
                f"{log_tail(log_path)}"
            )
        if health_ok(health_url):
            return
        time.sleep(_POLL_S)
    stop_server(pid)
    raise ServerError(
        f"the server was not ready after {timeout_s:g}s (no 200 from {health_url}); it was "
        f"stopped. Log {log_path}:\n{log_tail(log_path)}"
    )


def stop_server(pid: int, timeout_s: float = 10.0) -> None:
    """Stop the server's process group (TERM, then KILL); a gone process is fine."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        _CHILDREN.pop(pid, None)
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _exited(pid):
            break
        time.sleep(0.05)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        proc = _CHILDREN.get(pid)
        if proc is not None:
            proc.wait(timeout=timeout_s)
    _CHILDREN.pop(pid, None)
