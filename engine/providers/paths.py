"""The one rule for every path opspec reads or writes for a spec.

A spec names a file or folder in three ways: a path relative to the project, ``pkg:DIST/PATH``
(data shipped inside an installed distribution) or ``artifact://sha256/<64 hex>`` (an object of
the artifact store). The spec models refuse absolute paths and ``..`` escapes from the text
alone; only the filesystem can tell that ``data/0.csv`` is a symlink to ``/proc/self/environ``.
So every path is resolved here, symlinks included, and refused when it resolves outside the
folder it belongs to: the project, the distribution's folder, or the store. The rule holds for
the path a spec names and for every file found inside a folder it names
(:meth:`SpecPath.files`, :meth:`SpecPath.child`): a model folder's ``config.json`` or a dataset
folder's parts are resolved one by one, never opened through a link that leaves.

Providers resolve in ``check`` (so a plan refuses with a diagnostic at the spec's position) and
again right before they read, write or delete (the tree may have changed since the plan).
"""

from __future__ import annotations

import base64
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from engine.artifacts import ArtifactStore, ArtifactURIError, is_artifact_uri
from engine.errors import OpspecError
from engine.hashing import sha256_file, sha256_files
from specs.core import normalize_project_path

__all__ = [
    "PKG_PREFIX",
    "MissingPathError",
    "PackageFile",
    "PathEscapeError",
    "PathKind",
    "SpecPath",
    "SpecPathError",
    "resolve_if_in_project",
    "resolve_in_project",
    "resolve_package_path",
    "resolve_spec_path",
]

PKG_PREFIX = "pkg:"


class SpecPathError(OpspecError, ValueError):
    """A path a spec names cannot be used: malformed, missing, or not allowed."""


class MissingPathError(SpecPathError):
    """A path a spec names does not exist (where it must)."""


class PathEscapeError(SpecPathError):
    """A path leaves the folder it must stay in (absolute, ``..`` or through a symlink)."""


def _contained(root: Path, candidate: Path) -> bool:
    return candidate == root or candidate.is_relative_to(root)


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
    if not _contained(root, target):
        raise PathEscapeError(
            f"path leaves the project directory through a symlink: {relative} -> {target}"
        )
    if target == root:
        raise PathEscapeError(f"path names the project directory itself: {relative}")
    return target


def resolve_if_in_project(project_dir: str | Path, path: str | Path) -> Path | None:
    """A file the person running opspec named (``--var-file``, a policy folder or file), resolved
    under the same rule when it lies in the project, or None when it lies outside.

    Under ``--untrusted`` whatever is in the project belongs to the change under review: a path
    named inside it (through its links included, wherever they point) and anything a link from
    outside leads into it. Such a path is resolved by :func:`resolve_in_project` and refused
    with :class:`PathEscapeError` when it leaves. Any other path is the operator's own choice
    and is read as named.
    """
    root = Path(project_dir).resolve()
    entry = Path(os.path.abspath(path))
    for named, base in (
        (entry, Path(os.path.abspath(project_dir))),  # as written
        (entry.parent.resolve() / entry.name, root),  # the project named through another link
        (entry.resolve(), root),  # a link from outside into the project
    ):
        if named.is_relative_to(base):
            return resolve_in_project(root, named.relative_to(base).as_posix())
    return None


@dataclass(frozen=True)
class PackageFile:
    """A ``pkg:`` path resolved: the file or folder, the package folder it stays in, and the
    sha256 (hex) the distribution's RECORD lists for it ("" when it lists none)."""

    path: Path
    root: Path
    record_sha256: str = ""


def _record_hex(value: str) -> str:
    padded = value + "=" * (-len(value) % 4)
    return base64.urlsafe_b64decode(padded).hex()


def _package_roots(dist: importlib.metadata.Distribution) -> list[Path]:
    """The distribution's root, then the folders of its top-level packages."""
    roots = [Path(str(dist.locate_file(""))).resolve()]
    listed = (dist.read_text("top_level.txt") or "").split()
    found = {PurePosixPath(str(f)).parts[0] for f in dist.files or [] if "/" in str(f)}
    for top in listed or sorted(p for p in found if p.isidentifier()):
        spec = importlib.util.find_spec(top) if top.isidentifier() else None
        for location in (spec.submodule_search_locations or []) if spec else []:
            roots.append(Path(location).resolve())
    return roots


def _from_record(
    dist: importlib.metadata.Distribution, inner: str, root: Path
) -> PackageFile | None:
    for file in dist.files or []:
        parts = PurePosixPath(str(file)).parts
        # PATH may name the file from the distribution root or from its top-level package.
        if "/".join(parts) != inner and "/".join(parts[1:]) != inner:
            continue
        located = Path(str(dist.locate_file(file))).resolve()
        if _contained(root, located) and located.exists():
            digest = _record_hex(file.hash.value) if file.hash is not None else ""
            return PackageFile(located, root, digest)
    return None


def resolve_package_path(ref: str) -> PackageFile:
    """``pkg:DIST/PATH``: PATH inside the installed distribution DIST, found without importing it.

    PATH is looked up in the distribution's RECORD, then under its root folder, then under its
    top-level packages' folders; symlinks are resolved and the result must stay inside the
    folder it was found under. Raises :class:`SpecPathError` (:class:`PathEscapeError` for an
    escape) with a message for the user.
    """
    dist_name, _, inner = ref.removeprefix(PKG_PREFIX).partition("/")
    if not ref.startswith(PKG_PREFIX) or not dist_name or not inner:
        raise SpecPathError(f"write package data as pkg:DIST/PATH, got {ref!r}")
    try:
        clean = normalize_project_path(inner)
    except ValueError as exc:
        raise PathEscapeError(
            f"{ref}: {inner!r} is not part of distribution {dist_name!r} ({exc})"
        ) from None
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise SpecPathError(f"distribution {dist_name!r} is not installed") from None
    roots = _package_roots(dist)
    recorded = _from_record(dist, clean, roots[0])
    if recorded is not None:
        return recorded
    for root in roots:
        candidate = (root / clean).resolve()
        if candidate.exists():
            if not _contained(root, candidate):
                raise PathEscapeError(f"{ref} leaves the distribution {dist_name!r}")
            return PackageFile(candidate, root)
    raise MissingPathError(f"{ref}: {inner!r} is not part of distribution {dist_name!r}")


class PathKind(StrEnum):
    """Where a spec's path points, and so the folder it must stay inside."""

    PROJECT = "project"
    PACKAGE = "pkg"
    ARTIFACT = "artifact"


def _within(root: Path, candidate: Path, shown: str, kind: PathKind) -> Path:
    """``candidate`` with its symlinks resolved, or PathEscapeError when that leaves ``root``."""
    resolved = candidate.resolve()
    if not _contained(root, resolved):
        where = {
            PathKind.PROJECT: "the project directory",
            PathKind.PACKAGE: "its distribution's folder",
            PathKind.ARTIFACT: "the artifact store",
        }[kind]
        raise PathEscapeError(f"{shown} leaves {where} (through a symlink)")
    return resolved


@dataclass(frozen=True)
class SpecPath:
    """A path a spec names, resolved: what it is, and the folder every read must stay in.

    ``path`` is absolute and symlink-free; ``root`` is the project, the distribution's folder or
    the artifact store's objects. ``record_sha256`` is the sha256 (hex) a distribution's RECORD
    lists for a ``pkg:`` file, "" otherwise.
    """

    value: str
    path: Path
    root: Path
    kind: PathKind
    record_sha256: str = ""

    def child(self, relative: str) -> Path:
        """A file inside this folder (a model's ``config.json``), under the same rule."""
        return _within(self.root, self.path / relative, f"{self.value}/{relative}", self.kind)

    def files(self) -> dict[str, Path]:
        """Every regular file: relative POSIX name -> resolved file, in sorted order.

        A file is itself (named by its file name). In a folder, every entry is resolved and any
        that resolves outside ``root`` is refused, not skipped: a dataset folder with a link to
        ``/proc/self/environ`` is an error, never a silently smaller dataset. Linked folders are
        not descended into (they are checked, like every entry).
        """
        if not self.path.is_dir():
            return {self.path.name: self.path} if self.path.is_file() else {}
        found: dict[str, Path] = {}
        for folder, dirnames, filenames in os.walk(self.path, followlinks=False):
            here = Path(folder)
            for name in dirnames:
                if (here / name).is_symlink():
                    self._entry(here / name)
            for name in filenames:
                resolved = self._entry(here / name)
                if resolved.is_file():
                    found[(here / name).relative_to(self.path).as_posix()] = resolved
        return {k: found[k] for k in sorted(found, key=lambda k: PurePosixPath(k).parts)}

    def _entry(self, entry: Path) -> Path:
        shown = f"{self.value}/{entry.relative_to(self.path).as_posix()}"
        return _within(self.root, entry, shown, self.kind)

    def sha256(self) -> str:
        """The content hash of the file, or of the folder's files (as engine.hashing does)."""
        if self.record_sha256:
            return self.record_sha256
        if self.path.is_dir():
            return sha256_files(self.files())
        return sha256_file(self.path)


def resolve_spec_path(
    value: str, project_dir: str | Path, artifacts_dir: str | Path | None = None
) -> SpecPath:
    """Resolve a path a spec names (``value`` as written) under the one rule.

    Project paths and ``pkg:`` paths must exist; an artifact URI (accepted only where the
    caller passes ``artifacts_dir``) must name a 64-hex-digit object, which need not be stored
    yet. Raises :class:`SpecPathError` (:class:`PathEscapeError` when it leaves its folder).
    """
    if is_artifact_uri(value):
        if artifacts_dir is None:
            raise SpecPathError(f"an artifact URI is not accepted here: {value}")
        store = ArtifactStore(Path(artifacts_dir))
        try:
            location = store.path(value)
        except ArtifactURIError as exc:
            raise SpecPathError(str(exc)) from None
        root = store.objects.resolve()
        return SpecPath(
            value, _within(root, location, value, PathKind.ARTIFACT), root, PathKind.ARTIFACT
        )
    if value.startswith(PKG_PREFIX):
        package_file = resolve_package_path(value)
        return SpecPath(
            value,
            package_file.path,
            package_file.root,
            PathKind.PACKAGE,
            package_file.record_sha256,
        )
    path = resolve_in_project(project_dir, value)
    if not path.exists():
        raise MissingPathError(f"{value!r} does not exist in the project")
    return SpecPath(value, path, Path(project_dir).resolve(), PathKind.PROJECT)
