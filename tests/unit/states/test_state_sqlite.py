"""What only the SQLite store has to show: its file, WAL readers, concurrency and schema."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from engine.errors import StateError
from engine.states.sqlite import SqliteStateStore
from engine.states.sqlite_schema import SCHEMA_VERSION
from engine.states.store import ResourceState

MakeResource = Callable[..., ResourceState]


def test_reading_without_a_database_creates_nothing(db_path: Path) -> None:
    store = SqliteStateStore(db_path)
    assert not store.read("default").exists
    assert store.workspaces() == ["default"]
    assert store.current_lock("default") is None
    store.close()
    assert not db_path.parent.exists()


def test_the_database_is_wal_with_a_schema_version(
    db_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    sqlite_store.write_resource("default", make_resource())
    with closing(sqlite3.connect(db_path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_readers_see_the_last_commit_while_a_writer_is_busy(
    db_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    sqlite_store.write_resource("default", make_resource("null.a"))
    with closing(sqlite3.connect(db_path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE states SET serial = 99")
        reader = SqliteStateStore(db_path, busy_timeout_s=5)
        start = time.monotonic()
        snapshot = reader.read("default")
        assert time.monotonic() - start < 3  # far below the 5 s it would wait if blocked
        assert (snapshot.serial, list(snapshot.resources)) == (1, ["null.a"])
        reader.close()
        writer.execute("ROLLBACK")


def test_a_write_waits_for_another_connections_transaction(
    db_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    sqlite_store.write_resource("default", make_resource("null.a"))
    with closing(sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)) as other:
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, other.execute, args=("COMMIT",)).start()
        start = time.monotonic()
        assert sqlite_store.write_resource("default", make_resource("null.b")) == 2
        assert time.monotonic() - start >= 0.25


def test_threads_share_one_store(
    sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    def write(thread: int) -> None:
        for n in range(25):
            sqlite_store.write_resource("default", make_resource(f"null.t{thread}_{n}"))
            sqlite_store.read("default")

    threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    snapshot = sqlite_store.read("default")
    assert (snapshot.serial, len(snapshot.resources)) == (100, 100)


def test_a_closed_store_reopens_on_next_use(
    sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    sqlite_store.write_resource("default", make_resource("null.a"))
    sqlite_store.close()
    sqlite_store.close()
    assert sqlite_store.write_resource("default", make_resource("null.b")) == 2


def test_a_database_from_a_newer_opspec_is_refused(
    db_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    sqlite_store.write_resource("default", make_resource())
    sqlite_store.close()
    with closing(sqlite3.connect(db_path)) as raw, raw:
        raw.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StateError, match="written by a newer opspec"):
        SqliteStateStore(db_path).read("default")


def test_a_file_that_is_not_a_database_is_a_state_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match=f"state database {db_path}"):
        SqliteStateStore(db_path).read("default")
