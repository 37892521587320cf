"""Fixtures for the state tests: every store behind one parametrized fixture, and no test ever
touches the user's real secrets key (the key file lives in the test's tmp_path)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.states.memory import MemoryStateStore
from engine.states.secrets import SecretBox
from engine.states.sqlite import SqliteStateStore
from engine.states.store import ResourceState, StateStore

CHILD = Path(__file__).with_name("state_child.py")


@pytest.fixture(autouse=True)
def _isolated_secrets_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key_file = tmp_path / "config" / "opspec" / "key"
    monkeypatch.delenv("OPSPEC_SECRETS_KEY", raising=False)
    monkeypatch.setenv("OPSPEC_SECRETS_KEY_FILE", str(key_file))
    return key_file


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project" / ".opspec" / "state.db"


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, db_path: Path) -> Iterator[StateStore]:
    made: StateStore = (
        SqliteStateStore(db_path, secrets=SecretBox.from_environment())
        if request.param == "sqlite"
        else MemoryStateStore()
    )
    yield made
    made.close()


@pytest.fixture
def sqlite_store(db_path: Path) -> Iterator[SqliteStateStore]:
    made = SqliteStateStore(db_path)
    yield made
    made.close()


@pytest.fixture
def make_resource() -> Callable[..., ResourceState]:
    def make(address: str = "null.a", **fields: Any) -> ResourceState:
        values: dict[str, Any] = {
            "type": address.split(".", 1)[0],
            "id": f"id-{address}",
            "inputs": {"triggers": {"k": "v"}},
            "outputs": {"triggers": {"k": "v"}, "id": f"id-{address}"},
        }
        values.update(fields)
        return ResourceState(address=address, **values)

    return make


@pytest.fixture
def start_child() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts ``state_child.py MODE DB ARGS`` (see its docstring) with stdout piped line by
    line; whatever is still running at teardown is killed and reaped."""
    children: list[subprocess.Popen[str]] = []

    def start(mode: str, db: Path, *args: str) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, str(CHILD), mode, str(db), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        children.append(child)
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream is not None and not stream.closed:
                stream.close()


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
