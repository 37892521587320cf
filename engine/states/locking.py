"""The write lock's parts that every store shares: who we are, whether a holder is alive, waiting.

A store keeps at most one :class:`~engine.states.store.LockInfo` per workspace and decides
atomically whether it may take it; this module says what a new lock records, when an existing
one belongs to a process that is gone (so the store may release it by itself), and how to poll
until a timeout. A lock held on another host is never judged dead: only ``force-unlock`` clears
it.
"""

from __future__ import annotations

import getpass
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from engine.errors import StateError, StateLockedError
from engine.states.store import LockInfo

# Process start times and ISO timestamps both have coarse resolution; a process that started
# this long after a lock was taken cannot be the one that took it.
_PID_REUSE_SLACK_S = 2.0
_FIRST_POLL_S = 0.05
_MAX_POLL_S = 0.5


def current_host() -> str:
    return socket.gethostname()


def current_pid() -> int:
    return os.getpid()


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no USER variable
        return str(os.getuid())


def new_lock(workspace: str, operation: str) -> LockInfo:
    """The lock this process would hold for ``operation`` on ``workspace``."""
    host = current_host()
    return LockInfo(
        id=str(uuid.uuid4()),
        workspace=workspace,
        holder=f"{_current_user()}@{host}",
        pid=current_pid(),
        host=host,
        operation=operation,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _process_start_time(pid: int) -> float | None:
    """When ``pid`` started (Unix time), from Linux's /proc; None where that is not available."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
        with open("/proc/stat", encoding="ascii") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return None
    # The command name (field 2) may hold spaces and parentheses: fields restart after the
    # last ")"; the start time (field 22, in clock ticks since boot) is the 20th of those.
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        ticks = int(fields[19])
    except (IndexError, ValueError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a real pid: we cannot tell, so assume the holder is alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def holder_is_dead(lock: LockInfo) -> bool:
    """Whether ``lock`` was taken on this host by a process that no longer exists.

    A pid that exists again but belongs to a process started after the lock was taken (pid
    reuse) counts as dead too.
    """
    if lock.host != current_host():
        return False
    if not _process_alive(lock.pid):
        return True
    started = _process_start_time(lock.pid)
    try:
        created = datetime.fromisoformat(lock.created).timestamp()
    except ValueError:
        return False
    return started is not None and started > created + _PID_REUSE_SLACK_S


def held_by_this_process(lock: LockInfo) -> bool:
    return lock.host == current_host() and lock.pid == current_pid()


def acquire(
    workspace: str,
    timeout_s: float,
    try_once: Callable[[], tuple[LockInfo | None, LockInfo | None]],
) -> LockInfo:
    """Call ``try_once`` until it returns ``(taken, None)`` or ``timeout_s`` has passed.

    ``try_once`` runs one atomic attempt and returns either the lock it took or the lock that
    blocks it. On timeout this raises StateLockedError naming the holder.
    """
    deadline = time.monotonic() + max(timeout_s, 0.0)
    pause = _FIRST_POLL_S
    while True:
        taken, blocker = try_once()
        if taken is not None:
            return taken
        assert blocker is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise locked_error(workspace, blocker, timeout_s)
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, _MAX_POLL_S)


def locked_error(workspace: str, blocker: LockInfo, timeout_s: float) -> StateLockedError:
    waited = f" (waited {timeout_s:g}s)" if timeout_s > 0 else ""
    return StateLockedError(
        f"the state of workspace '{workspace}' is locked{waited}: {blocker.describe()}. "
        f"If no other opspec run is in progress, run `opspec force-unlock {blocker.id}`."
    )


def not_this_lock(workspace: str, lock_id: str, held: LockInfo) -> StateError:
    return StateError(
        f"lock {lock_id} is not the lock on workspace '{workspace}'; that is {held.describe()}"
    )
