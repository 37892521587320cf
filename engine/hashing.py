"""Content hashes: of files, folders and JSON values, all hex sha256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_files(files: Mapping[str, Path]) -> str:
    """Hash of a folder given as relative POSIX name -> file, in the order given."""
    h = hashlib.sha256()
    for name, file in files.items():
        h.update(name.encode() + b"\0")
        h.update(sha256_file(file).encode() + b"\n")
    return h.hexdigest()


def sha256_tree(path: Path) -> str:
    """Hash of a folder: its files' relative paths and contents, in sorted order."""
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return sha256_files({file.relative_to(path).as_posix(): file for file in files})


def sha256_path(path: Path) -> str:
    return sha256_tree(path) if path.is_dir() else sha256_file(path)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def sha256_json(value: Any) -> str:
    return sha256_bytes(canonical_json(value).encode())
