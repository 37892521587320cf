"""``kill -9`` of a writer at random moments never corrupts the SQLite state or loses a write
that returned, and the next writer takes over the dead writer's lock by itself."""

from __future__ import annotations

import random
import re
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from engine.states.sqlite import SqliteStateStore

StartChild = Callable[..., "subprocess.Popen[str]"]
ADDRESS = re.compile(r"^null\.r(\d{5})$")


def _run_and_kill(start_child: StartChild, db_path: Path, first: int, delay_s: float) -> set[str]:
    """Start a writer at index ``first``, SIGKILL it ``delay_s`` after its first committed
    write, and return the addresses it reported as written."""
    child = start_child("write-loop", db_path, str(first))
    assert child.stdout is not None
    lines = [child.stdout.readline()]
    time.sleep(delay_s)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    lines += child.stdout.readlines()
    assert child.returncode == -signal.SIGKILL
    # A line cut short by the kill has no newline; its write returned but is not claimed.
    return {line.strip() for line in lines if line.endswith("\n")}


@pytest.mark.slow
def test_kill_9_at_random_moments_keeps_every_returned_write(
    db_path: Path, start_child: StartChild
) -> None:
    rng = random.Random(20250101)
    reported: set[str] = set()
    first = 0
    for _ in range(6):
        reported |= _run_and_kill(start_child, db_path, first, rng.uniform(0.0, 0.3))
        with closing(sqlite3.connect(db_path)) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        store = SqliteStateStore(db_path)
        snapshot = store.read("default")
        store.close()
        assert reported <= set(snapshot.resources)
        # Each committed write added one resource and bumped the serial in one transaction.
        assert snapshot.serial == len(snapshot.resources)
        indexes = []
        for address, resource in snapshot.resources.items():
            match = ADDRESS.match(address)
            assert match is not None
            index = int(match.group(1))
            assert resource.inputs["token"] == resource.outputs["token"] == f"token-{index}"
            assert resource.inputs["pad"] == "x" * index
            indexes.append(index)
        first = max(indexes) + 1
    assert len(reported) >= 6
