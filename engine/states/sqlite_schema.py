"""Opening ``state.db``: connection settings, the tables, and their migrations.

The schema's version is kept in the ``schema_version`` table. ``MIGRATIONS[v]`` takes a
database from version ``v`` to ``v + 1`` (version 0 is an empty file), so a later opspec adds
one list of statements and older files are upgraded on open, inside one transaction. A file
written by a newer opspec is refused rather than misread.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engine.errors import StateError
from engine.private_paths import make_private_dir, make_private_file

MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        # One row per state: a workspace has a state once something was written to it.
        "CREATE TABLE states ("
        " workspace TEXT PRIMARY KEY, lineage TEXT NOT NULL, serial INTEGER NOT NULL)",
        # One JSON document per resource instance (ResourceState.to_json, secrets sealed).
        "CREATE TABLE resources ("
        " workspace TEXT NOT NULL, address TEXT NOT NULL, record TEXT NOT NULL,"
        " PRIMARY KEY (workspace, address)) WITHOUT ROWID",
        "CREATE TABLE outputs ("
        " workspace TEXT NOT NULL, name TEXT NOT NULL, record TEXT NOT NULL,"
        " PRIMARY KEY (workspace, name)) WITHOUT ROWID",
        "CREATE TABLE events ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL, record TEXT NOT NULL)",
        "CREATE INDEX events_by_workspace ON events (workspace, seq)",
        "CREATE TABLE locks ("
        " workspace TEXT PRIMARY KEY, id TEXT NOT NULL, holder TEXT NOT NULL,"
        " pid INTEGER NOT NULL, host TEXT NOT NULL, operation TEXT NOT NULL,"
        " created TEXT NOT NULL)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path, *, create: bool, busy_timeout_s: float) -> sqlite3.Connection | None:
    """A connection with the schema in place; None when ``create`` is false and there is no
    state database yet (so reading never creates files)."""
    if not create and not path.exists():
        return None
    if create:
        # SQLite gives its -wal and -shm files the database file's mode.
        make_private_dir(path.parent)
        make_private_file(path)
    conn = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        if not create and _stored_version(conn) is None:
            conn.close()
            return None
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _stored_version(conn: sqlite3.Connection) -> int | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if has_table is None:
        return None
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    if _check_version(_stored_version(conn), path) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Again, inside the transaction: another process may have migrated meanwhile.
        version = _check_version(_stored_version(conn), path)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _check_version(version: int | None, path: Path) -> int:
    if version is not None and version > SCHEMA_VERSION:
        raise StateError(
            f"{path} was written by a newer opspec (state schema {version}; this opspec "
            f"reads up to {SCHEMA_VERSION}); upgrade opspec to use it"
        )
    return version or 0
