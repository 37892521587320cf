"""Locating the data files monitors read: inside the project, or ``pkg:DIST/PATH``.

``pkg:`` names a file shipped inside an installed distribution (found through its metadata,
without importing it), so examples and tests can use data that ships with a package.
"""

from __future__ import annotations

from pathlib import Path

from engine.hashing import sha256_file
from engine.providers.paths import (
    PKG_PREFIX,
    SpecPathError,
    resolve_in_project,
    resolve_package_path,
)
from providers.monitor.errors import SourceReadError

__all__ = ["data_sha256", "resolve_data_path"]


def resolve_data_path(project_dir: str, path: str) -> Path:
    """The file ``path`` names; SourceReadError when it escapes or does not exist."""
    try:
        if path.startswith(PKG_PREFIX):
            target = resolve_package_path(path).path
        else:
            target = resolve_in_project(project_dir, path)
    except SpecPathError as exc:
        raise SourceReadError(str(exc)) from exc
    if not target.is_file():
        raise SourceReadError(f"data file not found: {path}")
    return target


def data_sha256(project_dir: str, path: str) -> str:
    return sha256_file(resolve_data_path(project_dir, path))
