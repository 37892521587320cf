"""The embedded default state store: one SQLite file, ``.opspec/state.db``, in WAL mode.

Every write method is one ``BEGIN IMMEDIATE`` transaction, so a crash or ``kill -9`` at any
moment leaves the file consistent and keeps every write that returned (``synchronous=NORMAL``:
power loss may drop the last commits, never consistency). Readers use plain deferred
transactions, which in WAL mode see a consistent snapshot without blocking the writer and never
touch the write lock. Sensitive values are sealed before they reach the file.

Tables (see :mod:`engine.states.sqlite_schema`) keep one row per state (workspace, lineage,
serial), one JSON document per resource, output and event, and one lock row per workspace.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.errors import StateError
from engine.states import locking, records, rules
from engine.states.secrets import SecretBox
from engine.states.sqlite_schema import connect
from engine.states.store import LockInfo, OutputState, ResourceState, StateSnapshot, StateStore

_LOCK_COLUMNS = "id, workspace, holder, pid, host, operation, created"


class SqliteStateStore(StateStore):
    """States of all workspaces of a project in one SQLite file, opened on first use."""

    def __init__(
        self, path: Path, *, secrets: SecretBox | None = None, busy_timeout_s: float = 30.0
    ) -> None:
        self.path = Path(path)
        self._box = secrets if secrets is not None else SecretBox.from_environment()
        self._busy_timeout_s = busy_timeout_s
        self._mutex = threading.RLock()  # one connection, shared by the apply walk's threads
        self._conn: sqlite3.Connection | None = None
        self._conn_pid = 0
        self._inherited: list[sqlite3.Connection] = []

    # -- reading -----------------------------------------------------------------------------

    def read(self, workspace: str) -> StateSnapshot:
        with self._reading() as conn:
            if conn is None:
                return StateSnapshot()
            row = _state_row(conn, workspace)
            if row is None:
                return StateSnapshot()
            resource_texts = _column(
                conn, "SELECT record FROM resources WHERE workspace = ? ORDER BY address", workspace
            )
            output_rows = conn.execute(
                "SELECT name, record FROM outputs WHERE workspace = ? ORDER BY name", (workspace,)
            ).fetchall()
            event_texts = _column(
                conn, "SELECT record FROM events WHERE workspace = ? ORDER BY seq", workspace
            )
        return StateSnapshot(
            lineage=row[0],
            serial=row[1],
            resources=records.decode_resources(resource_texts, self._box),
            outputs={name: records.decode_output(text, self._box) for name, text in output_rows},
            events=records.decode_events(event_texts),
        )

    def workspaces(self) -> list[str]:
        names = {rules.DEFAULT_WORKSPACE}
        with self._reading() as conn:
            if conn is not None:
                names.update(r[0] for r in conn.execute("SELECT workspace FROM states"))
        return sorted(names)

    def current_lock(self, workspace: str) -> LockInfo | None:
        with self._reading() as conn:
            return None if conn is None else _lock_row(conn, workspace)

    # -- writing -----------------------------------------------------------------------------

    def write_resource(self, workspace: str, resource: ResourceState) -> int:
        text = records.encode_resource(resource, self._box)
        return self._write(
            workspace, lambda conn: _put_resource(conn, workspace, resource.address, text)
        )

    def remove_resource(self, workspace: str, address: str) -> int:
        return self._write(
            workspace,
            lambda conn: conn.execute(
                "DELETE FROM resources WHERE workspace = ? AND address = ?", (workspace, address)
            ),
        )

    def move_resource(self, workspace: str, source: str, destination: str) -> int:
        def move(conn: sqlite3.Connection) -> None:
            found = conn.execute(
                "SELECT record FROM resources WHERE workspace = ? AND address = ?",
                (workspace, source),
            ).fetchone()
            if found is None:
                raise rules.missing_source(workspace, source)
            taken = conn.execute(
                "SELECT 1 FROM resources WHERE workspace = ? AND address = ?",
                (workspace, destination),
            ).fetchone()
            if taken is not None:
                raise rules.taken_destination(workspace, destination)
            data = json.loads(found[0])
            data["address"] = destination
            conn.execute(
                "DELETE FROM resources WHERE workspace = ? AND address = ?", (workspace, source)
            )
            _put_resource(conn, workspace, destination, json.dumps(data, separators=(",", ":")))

        return self._write(workspace, move)

    def write_outputs(self, workspace: str, outputs: dict[str, OutputState]) -> int:
        rows = [(workspace, n, records.encode_output(o, self._box)) for n, o in outputs.items()]

        def replace(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM outputs WHERE workspace = ?", (workspace,))
            conn.executemany("INSERT INTO outputs (workspace, name, record) VALUES (?,?,?)", rows)

        return self._write(workspace, replace)

    def append_event(self, workspace: str, event: dict[str, Any]) -> int:
        text = records.encode_event(event)
        return self._write(
            workspace,
            lambda conn: conn.execute(
                "INSERT INTO events (workspace, record) VALUES (?, ?)", (workspace, text)
            ),
        )

    def push(self, workspace: str, snapshot: StateSnapshot, *, force: bool = False) -> int:
        resource_rows = [
            (workspace, r.address, records.encode_resource(r, self._box))
            for r in snapshot.resources.values()
        ]
        output_rows = [
            (workspace, n, records.encode_output(o, self._box)) for n, o in snapshot.outputs.items()
        ]
        event_rows = [(workspace, records.encode_event(e)) for e in snapshot.events]
        with self._writing() as conn:
            stored = _state_row(conn, workspace)
            lineage, serial = stored or ("", 0)
            rules.check_push(workspace, lineage, serial, snapshot, force)
            new_lineage = rules.pushed_lineage(lineage, snapshot)
            new_serial = rules.pushed_serial(serial, snapshot)
            _delete_contents(conn, workspace)
            conn.executemany(
                "INSERT INTO resources (workspace, address, record) VALUES (?,?,?)", resource_rows
            )
            conn.executemany(
                "INSERT INTO outputs (workspace, name, record) VALUES (?,?,?)", output_rows
            )
            conn.executemany("INSERT INTO events (workspace, record) VALUES (?,?)", event_rows)
            conn.execute(
                "INSERT INTO states (workspace, lineage, serial) VALUES (?, ?, ?) "
                "ON CONFLICT (workspace) DO UPDATE SET lineage = excluded.lineage, "
                "serial = excluded.serial",
                (workspace, new_lineage, new_serial),
            )
        return new_serial

    def delete_workspace(self, workspace: str) -> None:
        rules.check_deletable(workspace)
        with self._writing() as conn:
            if _state_row(conn, workspace) is None:
                raise rules.missing_workspace(workspace)
            held = _lock_row(conn, workspace)
            if held is not None and not (
                locking.holder_is_dead(held) or locking.held_by_this_process(held)
            ):
                raise locking.locked_error(workspace, held, 0.0)
            _delete_contents(conn, workspace)
            conn.execute("DELETE FROM states WHERE workspace = ?", (workspace,))
            conn.execute("DELETE FROM locks WHERE workspace = ?", (workspace,))

    # -- locking -----------------------------------------------------------------------------

    def lock(self, workspace: str, operation: str, timeout_s: float = 0.0) -> LockInfo:
        def try_once() -> tuple[LockInfo | None, LockInfo | None]:
            wanted = locking.new_lock(workspace, operation)
            with self._writing() as conn:
                held = _lock_row(conn, workspace)
                if held is not None and not locking.holder_is_dead(held):
                    return None, held
                conn.execute("DELETE FROM locks WHERE workspace = ?", (workspace,))
                conn.execute(
                    f"INSERT INTO locks ({_LOCK_COLUMNS}) VALUES (?,?,?,?,?,?,?)",
                    _lock_values(wanted),
                )
                return wanted, None

        return locking.acquire(workspace, timeout_s, try_once)

    def unlock(self, workspace: str, lock_id: str) -> None:
        with self._writing() as conn:
            held = _lock_row(conn, workspace)
            if held is None:
                return
            if held.id != lock_id:
                raise locking.not_this_lock(workspace, lock_id, held)
            conn.execute("DELETE FROM locks WHERE workspace = ?", (workspace,))

    def force_unlock(self, workspace: str, lock_id: str | None = None) -> LockInfo | None:
        with self._writing() as conn:
            held = _lock_row(conn, workspace)
            if held is None:
                return None
            if lock_id is not None and held.id != lock_id:
                raise locking.not_this_lock(workspace, lock_id, held)
            conn.execute("DELETE FROM locks WHERE workspace = ?", (workspace,))
            return held

    def close(self) -> None:
        with self._mutex:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = None

    # -- plumbing ----------------------------------------------------------------------------

    def _write(self, workspace: str, change: Callable[[sqlite3.Connection], object]) -> int:
        """Apply ``change`` and bump the serial (creating the state) in one transaction; an
        exception from ``change`` rolls both back."""
        with self._writing() as conn:
            change(conn)
            return _bump_serial(conn, workspace)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; it creates the database and waits out other writers."""
        with self._mutex, self._database_errors():
            conn = self._connection(create=True)
            assert conn is not None
            with _transaction(conn, "BEGIN IMMEDIATE"):
                yield conn

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A read snapshot; None when there is no state database (reading creates nothing)."""
        with self._mutex, self._database_errors():
            conn = self._connection(create=False)
            if conn is None:
                yield None
                return
            with _transaction(conn, "BEGIN"):
                yield conn

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StateError(f"state database {self.path}: {exc}") from exc

    def _connection(self, *, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None and self._conn_pid != os.getpid():
            # Inherited through fork: SQLite forbids using it here, and closing it could
            # disturb the parent's locks, so it is kept open and left alone.
            self._inherited.append(self._conn)
            self._conn = None
        if self._conn is None:
            self._conn = connect(self.path, create=create, busy_timeout_s=self._busy_timeout_s)
            self._conn_pid = os.getpid()
        return self._conn


@contextmanager
def _transaction(conn: sqlite3.Connection, begin: str) -> Iterator[None]:
    conn.execute(begin)
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _lock_values(lock: LockInfo) -> tuple[str, str, str, int, str, str, str]:
    return (lock.id, lock.workspace, lock.holder, lock.pid, lock.host, lock.operation, lock.created)


def _column(conn: sqlite3.Connection, sql: str, workspace: str) -> list[str]:
    return [row[0] for row in conn.execute(sql, (workspace,))]


def _state_row(conn: sqlite3.Connection, workspace: str) -> tuple[str, int] | None:
    row = conn.execute(
        "SELECT lineage, serial FROM states WHERE workspace = ?", (workspace,)
    ).fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def _bump_serial(conn: sqlite3.Connection, workspace: str) -> int:
    rows = conn.execute(
        "INSERT INTO states (workspace, lineage, serial) VALUES (?, ?, 1) "
        "ON CONFLICT (workspace) DO UPDATE SET serial = serial + 1 RETURNING serial",
        (workspace, rules.new_lineage()),
    ).fetchall()
    return int(rows[0][0])


def _put_resource(conn: sqlite3.Connection, workspace: str, address: str, text: str) -> None:
    conn.execute(
        "INSERT INTO resources (workspace, address, record) VALUES (?, ?, ?) "
        "ON CONFLICT (workspace, address) DO UPDATE SET record = excluded.record",
        (workspace, address, text),
    )


def _delete_contents(conn: sqlite3.Connection, workspace: str) -> None:
    for table in ("resources", "outputs", "events"):
        conn.execute(f"DELETE FROM {table} WHERE workspace = ?", (workspace,))


def _lock_row(conn: sqlite3.Connection, workspace: str) -> LockInfo | None:
    row = conn.execute(
        f"SELECT {_LOCK_COLUMNS} FROM locks WHERE workspace = ?", (workspace,)
    ).fetchone()
    if row is None:
        return None
    lock_id, ws, holder, pid, host, operation, created = row
    return LockInfo(lock_id, ws, holder, int(pid), host, operation, created)
