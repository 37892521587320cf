"""The write lock: one holder at a time, a clear error naming the holder, waiting up to a
timeout, release of locks whose holder died on this host, and force-unlock."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.errors import StateError, StateLockedError
from engine.states import locking
from engine.states.sqlite import SqliteStateStore
from engine.states.store import LockInfo, ResourceState, StateStore

StartChild = Callable[..., "subprocess.Popen[str]"]


def test_lock_records_who_holds_it(store: StateStore) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    lock = store.lock("default", "apply")
    assert store.current_lock("default") == lock
    assert (lock.workspace, lock.operation, lock.pid) == ("default", "apply", os.getpid())
    assert lock.host == locking.current_host()
    assert lock.holder.endswith("@" + lock.host)
    assert before <= datetime.fromisoformat(lock.created) <= datetime.now(UTC)
    store.unlock("default", lock.id)
    assert store.current_lock("default") is None
    store.unlock("default", lock.id)  # releasing twice is harmless


def test_locks_are_per_workspace(store: StateStore) -> None:
    store.lock("default", "apply")
    other = store.lock("dev", "apply")
    assert store.current_lock("dev") == other


def test_a_held_lock_fails_fast_naming_its_holder(store: StateStore) -> None:
    held = store.lock("default", "apply")
    start = time.monotonic()
    with pytest.raises(StateLockedError) as error:
        store.lock("default", "destroy", timeout_s=0)
    assert time.monotonic() - start < 1.5  # no waiting (generous for loaded CI machines)
    message = str(error.value)
    assert "state of workspace 'default' is locked" in message
    for part in (held.holder, f"pid {held.pid}", held.host, "`apply`", held.created, held.id):
        assert part in message
    assert f"opspec force-unlock {held.id}" in message


def test_a_waiting_lock_gets_it_when_released(store: StateStore) -> None:
    held = store.lock("default", "apply")
    release = threading.Timer(0.3, store.unlock, args=("default", held.id))
    release.start()
    start = time.monotonic()
    lock = store.lock("default", "apply", timeout_s=10)
    waited = time.monotonic() - start
    release.join()
    assert 0.25 <= waited < 5
    assert store.current_lock("default") == lock != held


def test_a_waiting_lock_gives_up_after_its_timeout(store: StateStore) -> None:
    store.lock("default", "apply")
    start = time.monotonic()
    with pytest.raises(StateLockedError, match=r"is locked \(waited 0.3s\)"):
        store.lock("default", "apply", timeout_s=0.3)
    assert 0.3 <= time.monotonic() - start < 2


def test_a_lock_of_a_dead_process_on_this_host_is_released(
    store: StateStore, dead_pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(locking, "current_pid", lambda: dead_pid)
        stale = store.lock("default", "apply")
    lock = store.lock("default", "plan", timeout_s=0)
    assert lock.id != stale.id
    assert store.current_lock("default") == lock


def test_a_lock_held_on_another_host_is_never_released_by_itself(
    store: StateStore, dead_pid: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(locking, "current_pid", lambda: dead_pid)
        patch.setattr(locking, "current_host", lambda: "elsewhere")
        remote = store.lock("default", "apply")
    with pytest.raises(StateLockedError, match=f"pid {dead_pid} on elsewhere"):
        store.lock("default", "apply")
    assert store.current_lock("default") == remote


def test_unlock_refuses_someone_elses_lock(store: StateStore) -> None:
    held = store.lock("default", "apply")
    with pytest.raises(StateError, match=f"lock wrong-id is not the lock.*{held.id}"):
        store.unlock("default", "wrong-id")
    assert store.current_lock("default") == held


def test_force_unlock(store: StateStore) -> None:
    assert store.force_unlock("default") is None
    held = store.lock("default", "apply")
    with pytest.raises(StateError, match="lock nope is not the lock"):
        store.force_unlock("default", "nope")
    assert store.force_unlock("default", held.id) == held
    again = store.lock("default", "apply")
    assert store.force_unlock("default") == again
    assert store.current_lock("default") is None


def test_locks_do_not_change_the_state(store: StateStore) -> None:
    lock = store.lock("default", "apply")
    store.unlock("default", lock.id)
    assert not store.read("default").exists
    assert store.workspaces() == ["default"]


@pytest.mark.parametrize(
    ("host", "age_s", "dead"),
    [("here", 0, False), ("here", 3600, True), ("elsewhere", 3600, False)],
)
def test_a_reused_pid_does_not_keep_a_lock(host: str, age_s: int, dead: bool) -> None:
    """A live pid that started after the lock was taken is another process: the holder died."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.1)
        created = datetime.now(UTC) - timedelta(seconds=age_s)
        lock = LockInfo(
            id="x",
            workspace="default",
            holder="u@h",
            pid=child.pid,
            host=locking.current_host() if host == "here" else host,
            operation="apply",
            created=created.isoformat(timespec="seconds"),
        )
        assert locking.holder_is_dead(lock) is dead
    finally:
        child.kill()
        child.wait()


# -- between processes (SQLite) -----------------------------------------------------------------


def test_a_lock_left_by_an_exited_process_is_released(
    db_path: Path, sqlite_store: SqliteStateStore, start_child: StartChild
) -> None:
    child = start_child("exit-holding", db_path)
    left_id = _line(child)
    assert child.wait(timeout=30) == 0
    left = sqlite_store.current_lock("default")
    assert left is not None and (left.id, left.pid) == (left_id, child.pid)
    lock = sqlite_store.lock("default", "apply", timeout_s=0)
    assert lock.id != left_id


def test_a_live_holder_in_another_process(
    db_path: Path, sqlite_store: SqliteStateStore, start_child: StartChild
) -> None:
    child = start_child("hold", db_path, "2.0")
    held_id = _line(child)
    start = time.monotonic()
    with pytest.raises(StateLockedError, match=f"pid {child.pid} on .*{held_id}"):
        sqlite_store.lock("default", "apply", timeout_s=0)
    assert time.monotonic() - start < 1.5  # no waiting (generous for loaded CI machines)
    lock = sqlite_store.lock("default", "apply", timeout_s=30)
    assert time.monotonic() - start >= 0.5
    assert _line(child) == "released"
    assert sqlite_store.current_lock("default") == lock


def test_processes_racing_for_the_lock_never_both_get_it(
    db_path: Path,
    sqlite_store: SqliteStateStore,
    start_child: StartChild,
    make_resource: Callable[..., ResourceState],
) -> None:
    sqlite_store.write_resource("default", make_resource())  # the database exists up front
    for _ in range(3):
        children = [start_child("race", db_path) for _ in range(5)]
        assert [_line(c) for c in children] == ["ready"] * 5
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outcomes = sorted(_line(c) for c in children)
        assert outcomes == ["lost"] * 4 + ["won"]
        for child in children:
            assert child.stdin is not None
            child.stdin.close()
            assert child.wait(timeout=30) == 0


def test_contending_processes_hold_the_lock_one_at_a_time(
    db_path: Path,
    sqlite_store: SqliteStateStore,
    start_child: StartChild,
    make_resource: Callable[..., ResourceState],
) -> None:
    sqlite_store.write_resource("default", make_resource())
    children = [start_child("contend", db_path, "8") for _ in range(4)]
    intervals = []
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        intervals += [tuple(json.loads(line)) for line in out.splitlines()]
    assert len(intervals) == 32
    intervals.sort()
    for (_, end), (next_start, _) in itertools.pairwise(intervals):
        assert end <= next_start


def _line(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    return child.stdout.readline().strip()
