"""Locating the data files monitors read: inside the project, or ``pkg:DIST/PATH``.

``pkg:`` names a file shipped inside an installed distribution (found through its metadata,
without importing it), so examples and tests can use data that ships with a package.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from engine.hashing import sha256_file
from providers.core.paths import PathEscapeError, resolve_in_project
from providers.monitor.errors import SourceReadError

__all__ = ["data_sha256", "resolve_data_path"]


def _top_level(dist: importlib.metadata.Distribution) -> list[str]:
    listed = (dist.read_text("top_level.txt") or "").split()
    found = {Path(str(f)).parts[0] for f in dist.files or [] if len(Path(str(f)).parts) > 1}
    return listed or sorted(p for p in found if p.isidentifier())


def _locate_pkg(ref: str) -> Path:
    """``pkg:DIST/PATH``: PATH from the distribution's root or from its top-level package."""
    dist_name, _, rel = ref[len("pkg:") :].partition("/")
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise SourceReadError(f"no installed distribution named {dist_name!r}") from None
    root = Path(str(dist.locate_file(""))).resolve()
    for base in [root, *(root / top for top in _top_level(dist))]:
        target = (base / rel).resolve()
        if target.is_relative_to(base) and target.is_file():
            return target
    raise SourceReadError(f"{ref}: no such file in the distribution {dist_name!r}")


def resolve_data_path(project_dir: str, path: str) -> Path:
    """The file ``path`` names; SourceReadError when it escapes or does not exist."""
    if path.startswith("pkg:"):
        target = _locate_pkg(path)
    else:
        try:
            target = resolve_in_project(project_dir, path)
        except PathEscapeError as exc:
            raise SourceReadError(str(exc)) from exc
    if not target.is_file():
        raise SourceReadError(f"data file not found: {path}")
    return target


def data_sha256(project_dir: str, path: str) -> str:
    return sha256_file(resolve_data_path(project_dir, path))
