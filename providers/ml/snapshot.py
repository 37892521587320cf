"""A dataset snapshot: the data files plus a manifest, stored as one content-addressed artifact.

Every job downstream of a dataset names it by the snapshot's URI, so that URI must be known at
plan time, before the snapshot is written. The artifact store names a folder by
:func:`engine.hashing.sha256_tree` of its files; :func:`tree_digest` computes the same digest
from the files' hashes, so a plan derives the URI from the data's hash and the manifest alone.
The manifest holds only what the content and the spec determine (format, split, target,
columns), never the data's location, so moving a file does not retrain anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from engine.artifacts import URI_PREFIX
from engine.hashing import canonical_json, sha256_bytes, sha256_file
from providers.ml.sources import DataSource, column_names

__all__ = ["MANIFEST", "Snapshot", "plan_snapshot", "read_manifest", "tree_digest"]

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


def tree_digest(hashes: Mapping[str, str]) -> str:
    """:func:`engine.hashing.sha256_tree` of a folder whose files have these sha256 hashes."""
    h = hashlib.sha256()
    for name in sorted(hashes, key=lambda n: PurePosixPath(n).parts):
        h.update(name.encode() + b"\0")
        h.update(hashes[name].encode() + b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """What a dataset will store: known entirely at plan time."""

    source: DataSource
    file_hashes: dict[str, str]
    manifest: dict[str, Any]
    sha256: str
    uri: str

    @property
    def manifest_bytes(self) -> bytes:
        return canonical_json(self.manifest).encode()

    @property
    def columns(self) -> list[str] | None:
        cols = self.manifest.get("columns")
        return list(cols) if isinstance(cols, list) else None

    def materialize(self, dest: Path) -> None:
        """Write the snapshot's files into the empty folder ``dest``."""
        for name in self.file_hashes:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.source.read_bytes(name))
        (dest / MANIFEST).write_bytes(self.manifest_bytes)


def plan_snapshot(
    source: DataSource, target: str | None, split: Mapping[str, Any] | None
) -> Snapshot:
    """Hash the data and derive the snapshot's manifest and URI (reads, never writes)."""
    if source.inline is not None:
        hashes = {name: sha256_bytes(source.inline) for name in source.files}
    else:
        hashes = {name: sha256_file(path) for name, path in source.files.items()}
    if len(hashes) == 1 and not next(iter(hashes)).startswith("data/"):
        content = next(iter(hashes.values()))
    else:
        content = tree_digest(hashes)
    manifest = {
        "version": MANIFEST_VERSION,
        "format": source.format.value,
        "compression": source.compression,
        "files": sorted(hashes),
        "sha256": content,
        "target": target,
        "split": dict(split) if split else None,
        "columns": column_names(source),
    }
    manifest_hash = sha256_bytes(canonical_json(manifest).encode())
    uri = URI_PREFIX + tree_digest({**hashes, MANIFEST: manifest_hash})
    return Snapshot(source, hashes, manifest, content, uri)


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a stored snapshot, or None when ``folder`` holds none."""
    try:
        data = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
