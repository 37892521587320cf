"""The state lock between concurrent ``opspec`` processes: fail fast naming the holder, wait with
``--lock-timeout``, ``force-unlock``, and a lock of a SIGKILLed apply released by itself."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cli_harness import CliProject

# The command announces it runs (so the apply holds the lock), then waits for the test to
# release it; the wait is bounded so an orphaned shell never outlives the test by long.
BLOCKING = """\
resources:
  null.first: {}
  command.hold:
    create: >-
      touch started; i=0;
      while [ ! -f release ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done;
      echo held
    depends_on: [null.first]
"""
START_TIMEOUT_S = 60.0


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"apply ended early ({proc.returncode}): {proc.communicate()[0]}")
        assert time.monotonic() < deadline, "the blocking command never started"
        time.sleep(0.05)


@contextmanager
def holding_apply(cli: CliProject) -> Iterator[subprocess.Popen[str]]:
    """An ``apply`` that holds the state lock inside its command until the block ends."""
    cli.write(BLOCKING)
    proc = cli.start("apply", "--auto-approve")
    try:
        _wait_for(cli.root / "started", proc)
        yield proc
    finally:
        (cli.root / "release").touch()
        if proc.poll() is None:
            try:
                proc.wait(timeout=START_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.communicate()


def test_second_apply_fails_fast_and_a_lock_timeout_waits(cli: CliProject) -> None:
    with holding_apply(cli) as first:
        began = time.monotonic()
        second = cli.run("apply", "--auto-approve", expect=1)
        elapsed = time.monotonic() - began
        assert first.poll() is None, "the first apply ended: the lock was not contended"
        assert "is locked" in second.stderr
        assert f"pid {first.pid} " in second.stderr
        assert socket.gethostname() in second.stderr
        assert "`apply`" in second.stderr
        assert elapsed < 30, f"the second apply took {elapsed:.1f}s to give up"
        assert "Creating" not in second.stdout

        waiting = cli.start("apply", "--auto-approve", "--lock-timeout", "120")
        # Twice what the refused apply needed to reach the lock and give up: by then this one
        # has met the lock too, and with a timeout it waits instead of failing.
        time.sleep(max(1.0, 2 * elapsed))
        assert waiting.poll() is None, waiting.communicate()[0]
        assert first.poll() is None
        (cli.root / "release").touch()
        out, _ = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, out
        assert "No changes" in out
        first.wait(timeout=60)
        assert first.returncode == 0


def test_force_unlock_clears_the_lock(cli: CliProject) -> None:
    with holding_apply(cli) as first:
        refused = cli.run("plan", expect=1)
        match = re.search(r"opspec force-unlock ([0-9a-f-]{36})", refused.stderr)
        assert match, refused.stderr
        lock_id = match.group(1)
        assert "Released" in cli.run("force-unlock", lock_id, "--force").stdout
        assert first.poll() is None
        cli.run("plan", "--format", "json")


def test_lock_of_a_killed_apply_is_released_by_itself(cli: CliProject) -> None:
    with holding_apply(cli) as first:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL
        # The dead process never unlocked: there is a lock to force (refused without --force)...
        held = cli.run("force-unlock", expect=1)
        assert "pass --force" in held.stderr
        # ...and the next run takes it over without force-unlock.
        (cli.root / "release").touch()
        run = cli.run("apply", "--auto-approve")
        assert "command.hold: Creation complete" in run.stdout
