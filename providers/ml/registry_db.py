"""Where the MLflow registry lives, and reading it at plan time without MLflow.

The default is a SQLite database under the project's state folder
(``sqlite:////PROJECT/.opspec/mlflow.db``), so ``mlflow ui --backend-store-uri`` on it shows the
runs and registered models; ``providers: {mlflow: {tracking_uri: ...}}`` points elsewhere.
Importing MLflow costs seconds, so ``refresh`` reads the SQLite tables directly (read-only) to
see whether a version still exists and where its aliases point; for a registry that is not a
local SQLite file ``refresh`` trusts the state instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "RegisteredVersion",
    "RegistrySettings",
    "read_version",
    "registry_settings",
    "sqlite_path",
    "versions_of_address",
]

_SQLITE = "sqlite:///"


@dataclass(frozen=True)
class RegistrySettings:
    tracking_uri: str
    experiment: str
    artifact_location: str


def registry_settings(
    project_dir: str, state_dir: str, settings: Mapping[str, Any]
) -> RegistrySettings:
    """Resolve the ``mlflow`` settings block; relative SQLite paths are project-relative."""
    uri = str(
        settings.get("tracking_uri") or _SQLITE + str(Path(state_dir).resolve() / "mlflow.db")
    )
    if uri.startswith(_SQLITE) and not uri[len(_SQLITE) :].startswith("/"):
        uri = _SQLITE + str(Path(project_dir).resolve() / uri[len(_SQLITE) :])
    location = (
        settings.get("artifact_location")
        or (Path(state_dir).resolve() / "mlflow-artifacts").as_uri()
    )
    return RegistrySettings(uri, str(settings.get("experiment") or "opspec"), str(location))


def sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI; None for any other registry."""
    if not tracking_uri.startswith(_SQLITE):
        return None
    return Path(tracking_uri[len(_SQLITE) :].split("?", 1)[0])


@dataclass(frozen=True)
class RegisteredVersion:
    name: str
    version: int
    status: str
    run_id: str
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return self.status == "READY" and self.tags.get("opspec.status") == "committed"


def _connect(db: Path) -> sqlite3.Connection | None:
    if not db.is_file():
        return None
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)


def read_version(db: Path, name: str, version: int) -> RegisteredVersion | None:
    """One version with its tags and aliases; None when the database or version is missing."""
    conn = _connect(db)
    if conn is None:
        return None
    with closing(conn):
        try:
            row = conn.execute(
                "SELECT status, run_id FROM model_versions WHERE name = ? AND version = ?",
                (name, version),
            ).fetchone()
            if row is None:
                return None
            tags = dict(
                conn.execute(
                    "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ?",
                    (name, version),
                ).fetchall()
            )
            aliases = [
                r[0]
                for r in conn.execute(
                    "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ?",
                    (name, version),
                ).fetchall()
            ]
        except sqlite3.DatabaseError:
            return None  # not (yet) an MLflow database
    return RegisteredVersion(name, version, str(row[0]), str(row[1] or ""), tags, sorted(aliases))


def versions_of_address(db: Path, name: str, address: str, workspace: str) -> list[int]:
    """Versions of ``name`` that the resource at ``address`` registered (any status)."""
    conn = _connect(db)
    if conn is None:
        return []
    with closing(conn):
        try:
            rows = conn.execute(
                "SELECT a.version FROM model_version_tags a JOIN model_version_tags w "
                "ON a.name = w.name AND a.version = w.version "
                "WHERE a.name = ? AND a.key = 'opspec.address' AND a.value = ? "
                "AND w.key = 'opspec.workspace' AND w.value = ?",
                (name, address, workspace),
            ).fetchall()
        except sqlite3.DatabaseError:
            return []
    return sorted(int(r[0]) for r in rows)
