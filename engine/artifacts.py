"""Content-addressed artifacts under ``.opspec/artifacts/`` and the job cache that indexes them.

An artifact (dataset snapshot, model, compressed model, report) is a file or a folder stored
under its content hash and named by a URI ``artifact://sha256/<hex>``. The cache maps a job's
cache key (a hash of everything that determines its output) to the record the job produced,
so an unchanged input never recomputes its output, even after ``destroy``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.errors import OpspecError
from engine.hashing import sha256_path

URI_PREFIX = "artifact://sha256/"
_DIGEST = re.compile(r"[0-9a-f]{64}")


class ArtifactURIError(OpspecError, ValueError):
    """A string that claims to be an artifact URI but names no object of the store."""


def is_artifact_uri(value: object) -> bool:
    """Whether ``value`` claims to be an artifact URI (see :func:`artifact_digest`)."""
    return isinstance(value, str) and value.startswith(URI_PREFIX)


def artifact_digest(uri: str) -> str:
    """The sha256 an artifact URI names: exactly 64 lowercase hex characters, nothing else, so
    a URI can never name a path (``artifact://sha256//etc/shadow``)."""
    digest = uri[len(URI_PREFIX) :] if is_artifact_uri(uri) else ""
    if not _DIGEST.fullmatch(digest):
        raise ArtifactURIError(
            f"not an artifact URI: {uri!r} (write artifact://sha256/ and 64 lowercase hex "
            "characters)"
        )
    return digest


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.cache_dir = root / "cache"

    # -- objects --------------------------------------------------------------------------

    def path(self, uri: str) -> Path:
        """Where the object ``uri`` names is stored (ArtifactURIError for a malformed URI)."""
        digest = artifact_digest(uri)
        return self.objects / digest[:2] / digest

    def exists(self, uri: str) -> bool:
        try:
            return self.path(uri).exists()
        except ArtifactURIError:
            return False

    def put(self, src: Path) -> str:
        """Copy a file or folder into the store (atomically) and return its URI."""
        digest = sha256_path(src)
        uri = URI_PREFIX + digest
        dest = self.path(uri)
        if dest.exists():
            return uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=dest.parent))
        staged = tmp / "obj"
        if src.is_dir():
            shutil.copytree(src, staged)
        else:
            shutil.copy2(src, staged)
        try:
            os.replace(staged, dest)
        except OSError:
            if not dest.exists():
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return uri

    # -- the job cache --------------------------------------------------------------------

    def _cache_file(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def cache_get(self, key: str) -> dict[str, Any] | None:
        """The record stored for ``key``, if every artifact it names still exists."""
        try:
            record: dict[str, Any] = json.loads(self._cache_file(key).read_text())
        except (OSError, ValueError):
            return None
        if not all(self.exists(u) for u in _uris_in(record)):
            return None
        return record

    def cache_put(self, key: str, record: dict[str, Any]) -> None:
        path = self._cache_file(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, sort_keys=True))
        os.replace(tmp, path)

    # -- garbage collection ---------------------------------------------------------------

    def gc(self, keep: Iterable[str]) -> list[str]:
        """Remove every object not named in ``keep`` and the cache records that name them."""
        keep_set = set(keep)
        removed: list[str] = []
        if self.objects.exists():
            for obj in sorted(self.objects.glob("*/*")):
                uri = URI_PREFIX + obj.name
                if uri in keep_set:
                    continue
                shutil.rmtree(obj) if obj.is_dir() else obj.unlink()
                removed.append(uri)
        if self.cache_dir.exists():
            for rec in self.cache_dir.glob("*/*.json"):
                try:
                    uris = _uris_in(json.loads(rec.read_text()))
                except (OSError, ValueError):
                    uris = []
                if any(u in removed for u in uris):
                    rec.unlink()
        return removed


def _uris_in(value: Any) -> list[str]:
    if is_artifact_uri(value):
        return [value]
    if isinstance(value, dict):
        return [u for v in value.values() for u in _uris_in(v)]
    if isinstance(value, list):
        return [u for v in value for u in _uris_in(v)]
    return []
