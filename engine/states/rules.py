"""The rules every store enforces the same way, so SQLite, memory and later stores agree.

A store decides *atomically* whether a write may happen; what the answer is, and the words of
the refusal, live here.
"""

from __future__ import annotations

import re
import uuid

from engine.errors import StaleStateError, StateError
from engine.states.store import StateSnapshot

DEFAULT_WORKSPACE = "default"
# Like Terraform's: safe in a path, a URL, a stack name and a terminal (no separators, no dots
# or dashes first, no spaces or control characters).
_WORKSPACE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,89}")


def check_workspace_name(name: str, source: str = "") -> str:
    """``name`` when it may name a workspace; StateError (saying where it came from) if not."""
    if _WORKSPACE_NAME.fullmatch(name):
        return name
    where = f" (from {source})" if source else ""
    raise StateError(
        f"invalid workspace name {name!r}{where}: use letters, digits, '_', '-' and '.', "
        "starting with a letter, a digit or '_', at most 90 characters"
    )


def new_lineage() -> str:
    return str(uuid.uuid4())


def check_push(
    workspace: str, stored_lineage: str, stored_serial: int, pushed: StateSnapshot, force: bool
) -> None:
    """Refuse (StaleStateError) a push of another lineage or an older serial, unless forced."""
    if force or not stored_lineage:
        return
    if pushed.lineage != stored_lineage:
        theirs = f"lineage {pushed.lineage}" if pushed.lineage else "no lineage"
        raise StaleStateError(
            f"cannot push: the state to push has {theirs}, but workspace '{workspace}' holds "
            f"lineage {stored_lineage}, a different state; push with force to overwrite it"
        )
    if pushed.serial < stored_serial:
        raise StaleStateError(
            f"cannot push: the state to push has serial {pushed.serial}, older than serial "
            f"{stored_serial} of workspace '{workspace}' (lineage {stored_lineage}); pull the "
            "current state, or push with force to overwrite it"
        )


def pushed_lineage(stored_lineage: str, pushed: StateSnapshot) -> str:
    """The lineage a workspace has after a push (a forced push of "no lineage" keeps ours)."""
    return pushed.lineage or stored_lineage or new_lineage()


def pushed_serial(stored_serial: int, pushed: StateSnapshot) -> int:
    """The serial after a push: past both, so a plan made before any push turns stale."""
    return max(stored_serial, pushed.serial) + 1


def check_deletable(workspace: str) -> None:
    if workspace == DEFAULT_WORKSPACE:
        raise StateError("the default workspace cannot be deleted")


def missing_workspace(workspace: str) -> StateError:
    return StateError(f"workspace '{workspace}' does not exist")


def missing_source(workspace: str, address: str) -> StateError:
    return StateError(f"cannot move {address}: no such resource in workspace '{workspace}'")


def taken_destination(workspace: str, address: str) -> StateError:
    return StateError(
        f"cannot move to {address}: workspace '{workspace}' already has a resource there"
    )
