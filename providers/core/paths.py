"""Resolving a spec's relative path inside the project, symlinks included.

The spec models refuse absolute paths and ``..`` escapes from the text alone; only the
filesystem can tell that ``data/out`` is a symlink to ``/etc``. Providers call
:func:`resolve_in_project` in ``check`` (so a plan refuses it) and again right before they
write or delete (the tree may have changed since the plan).
"""

from __future__ import annotations

from pathlib import Path

from specs.core import normalize_project_path

__all__ = ["PathEscapeError", "resolve_in_project"]


class PathEscapeError(ValueError):
    """A path leaves the project directory (absolute, ``..`` or through a symlink)."""


def resolve_in_project(project_dir: str | Path, relative: str) -> Path:
    """The absolute, symlink-free location of ``relative`` inside ``project_dir``.

    Raises :class:`PathEscapeError` when it is absolute, climbs out with ``..`` or goes
    through a symlink that points outside the project. Missing components are fine (the
    file may not exist yet); nothing is created or modified.
    """
    try:
        clean = normalize_project_path(relative)
    except ValueError as exc:
        raise PathEscapeError(str(exc)) from exc
    root = Path(project_dir).resolve()
    target = (root / clean).resolve()
    if target != root and not target.is_relative_to(root):
        raise PathEscapeError(
            f"path leaves the project directory through a symlink: {relative} -> {target}"
        )
    if target == root:
        raise PathEscapeError(f"path names the project directory itself: {relative}")
    return target
