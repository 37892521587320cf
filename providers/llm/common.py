"""Small helpers shared by the jobs and providers of this family: staging, storing, versions."""

from __future__ import annotations

import importlib.metadata
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.artifacts import ArtifactStore
from providers.llm.errors import ArtifactMissingError

__all__ = ["artifact_path", "folder_size", "library_versions", "staging", "store"]


def library_versions(*distributions: str) -> dict[str, str]:
    """Installed versions of ``distributions`` (read from metadata; nothing is imported)."""
    versions = {}
    for name in distributions:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextmanager
def staging(artifacts_dir: str | Path) -> Iterator[Path]:
    """A scratch folder next to the store (same file system), removed afterwards."""
    root = Path(artifacts_dir) / "staging"
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="job-", dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def store(artifacts_dir: str | Path, folder: Path) -> tuple[str, int]:
    """Put ``folder`` into the store; return its URI and its size in bytes."""
    return ArtifactStore(Path(artifacts_dir)).put(folder), folder_size(folder)


def artifact_path(artifacts_dir: str | Path, uri: str) -> Path:
    path = ArtifactStore(Path(artifacts_dir)).path(uri)
    if not path.exists():
        raise ArtifactMissingError(f"artifact {uri} is not in the store {artifacts_dir}")
    return path
