"""Locating the data files monitors read: inside the project, or ``pkg:DIST/PATH``.

``pkg:`` names a file shipped inside an installed distribution (found through its metadata,
without importing it), so examples and tests can use data that ships with a package.
"""

from __future__ import annotations

from pathlib import Path

from engine.hashing import sha256_file
from engine.providers.paths import MissingPathError, SpecPathError, resolve_spec_path
from providers.monitor.errors import SourceReadError

__all__ = ["data_sha256", "resolve_data_path"]


def resolve_data_path(project_dir: str, path: str) -> Path:
    """The file ``path`` names; SourceReadError when it escapes or does not exist."""
    try:
        target = resolve_spec_path(path, project_dir).path
    except MissingPathError:
        raise SourceReadError(f"data file not found: {path}") from None
    except SpecPathError as exc:
        raise SourceReadError(str(exc)) from exc
    if not target.is_file():
        raise SourceReadError(f"data file not found: {path}")
    return target


def data_sha256(project_dir: str, path: str) -> str:
    return sha256_file(resolve_data_path(project_dir, path))
