"""A separate process for the state tests: holds locks, contends for them, writes until killed.

Run as ``python state_child.py MODE DB [ARGS]``; it prints one line per event, flushed, so the
test can follow it from stdout:

- ``exit-holding DB``: take the lock, print its id, exit without unlocking.
- ``hold DB SECONDS``: take the lock, print its id, hold it SECONDS, unlock, print "released".
- ``contend DB ROUNDS``: ROUNDS times take the lock (waiting), print a JSON interval
  ``[start, end]`` of holding it (monotonic clock, shared by all processes), unlock.
- ``race DB``: print "ready", wait for a line on stdin, try the lock once (timeout 0); print
  "won" and hold it until stdin closes, or print "lost".
- ``write-loop DB FIRST``: take the lock, then write resources FIRST, FIRST+1, ... forever,
  printing each address after its write returned.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from engine.errors import StateLockedError
from engine.states.sqlite import SqliteStateStore
from engine.states.store import ResourceState

WORKSPACE = "default"


def crash_resource(index: int) -> ResourceState:
    """The resource the write loop writes at ``index``; its size grows with the index."""
    return ResourceState(
        address=f"null.r{index:05d}",
        type="null",
        id=str(index),
        inputs={"triggers": {"n": str(index)}, "token": f"token-{index}", "pad": "x" * index},
        outputs={"id": str(index), "token": f"token-{index}"},
        dependencies=[f"null.r{index - 1:05d}"] if index else [],
        sensitive_paths=[("token",)],
    )


def main(mode: str, db: str, *args: str) -> None:
    store = SqliteStateStore(Path(db))
    if mode == "exit-holding":
        print(store.lock(WORKSPACE, "apply").id, flush=True)
    elif mode == "hold":
        lock = store.lock(WORKSPACE, "apply")
        print(lock.id, flush=True)
        time.sleep(float(args[0]))
        store.unlock(WORKSPACE, lock.id)
        print("released", flush=True)
    elif mode == "contend":
        for _ in range(int(args[0])):
            lock = store.lock(WORKSPACE, "apply", timeout_s=60)
            start = time.monotonic()
            time.sleep(0.01)
            end = time.monotonic()
            store.unlock(WORKSPACE, lock.id)
            print(json.dumps([start, end]), flush=True)
    elif mode == "race":
        store.current_lock(WORKSPACE)  # connected before the start signal
        print("ready", flush=True)
        sys.stdin.readline()
        try:
            store.lock(WORKSPACE, "apply", timeout_s=0)
        except StateLockedError:
            print("lost", flush=True)
            return
        print("won", flush=True)
        sys.stdin.read()
    elif mode == "write-loop":
        store.lock(WORKSPACE, "apply", timeout_s=10)
        index = int(args[0])
        while True:
            resource = crash_resource(index)
            store.write_resource(WORKSPACE, resource)
            print(resource.address, flush=True)
            index += 1
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(*sys.argv[1:])
