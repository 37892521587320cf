"""The job that runs a ``command`` resource's shell command, inside the job runner's child.

Running it as a job (rather than straight from the provider) gives each command a log under
``.opspec/runs/<address>/<run>/``, the runner's timeout, and cancellation on a second Ctrl-C:
the runner stops the child's whole process group, the shell and what it started included.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import deque
from typing import IO, Any

__all__ = ["STDERR_TAIL_LINES", "run_shell"]

STDERR_TAIL_LINES = 20


def _pump(src: IO[bytes], sink: IO[bytes], keep: list[bytes] | deque[bytes]) -> None:
    """Copy ``src`` line by line to the job's log (``sink``), keeping the lines read."""
    for line in iter(src.readline, b""):
        keep.append(line)
        sink.write(line)
        sink.flush()


def run_shell(command: str, cwd: str) -> dict[str, Any]:
    """Run ``command`` with ``/bin/sh -c``; return its stdout, stderr's tail and exit status.

    The environment is inherited: the provider hands the resource's variables to the job
    runner, so they never land in the run's request file.
    """
    proc = subprocess.Popen(
        ["/bin/sh", "-c", command],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    out: list[bytes] = []
    err: deque[bytes] = deque(maxlen=STDERR_TAIL_LINES)
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, sys.stdout.buffer, out)),
        threading.Thread(target=_pump, args=(proc.stderr, sys.stderr.buffer, err)),
    ]
    for pump in pumps:
        pump.start()
    for pump in pumps:
        pump.join()
    exit_code = proc.wait()
    return {
        "stdout": b"".join(out).decode("utf-8", errors="replace"),
        "stderr_tail": b"".join(err).decode("utf-8", errors="replace"),
        "exit_code": exit_code,
    }
