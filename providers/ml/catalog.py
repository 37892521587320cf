"""What planning can learn about an artifact from its URI alone, without loading any library.

A training job's inputs name its dataset by URI; to report an unknown ``target`` column at plan
time it needs that dataset's columns. They come from the snapshot's manifest when the snapshot
is already stored, and otherwise from the dataset's own ``check`` earlier in the same plan: the
engine checks a dataset before anything that references it, and ``check`` records the manifest
here. The URI is the hash of the manifest, so a recorded entry can never be stale.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from engine.artifacts import is_artifact_uri
from engine.providers.paths import resolve_spec_path
from providers.ml.snapshot import MANIFEST

__all__ = ["dataset_manifest", "model_meta", "remember_dataset"]

MODEL_META = "meta.json"

_LOCK = threading.Lock()
_MANIFESTS: dict[str, dict[str, Any]] = {}


def remember_dataset(uri: str, manifest: dict[str, Any]) -> None:
    with _LOCK:
        _MANIFESTS[uri] = dict(manifest)


def dataset_manifest(uri: object, artifacts_dir: Path) -> dict[str, Any] | None:
    """The snapshot manifest named by ``uri``: checked in this process, or stored."""
    if not isinstance(uri, str) or not is_artifact_uri(uri):
        return None
    with _LOCK:
        known = _MANIFESTS.get(uri)
    if known is not None:
        return known
    return _stored_json(uri, artifacts_dir, MANIFEST)


def model_meta(uri: object, artifacts_dir: Path) -> dict[str, Any] | None:
    """The ``meta.json`` a training job stored beside a model, when the model is stored."""
    if not isinstance(uri, str) or not is_artifact_uri(uri):
        return None
    return _stored_json(uri, artifacts_dir, MODEL_META)


def _stored_json(uri: str, artifacts_dir: Path, name: str) -> dict[str, Any] | None:
    """The JSON object ``name`` inside the stored artifact ``uri``, resolved under the path
    rule; None when it is not stored, not an object, or resolves outside the store."""
    try:
        data = json.loads(
            resolve_spec_path(uri, artifacts_dir, artifacts_dir).child(name).read_text()
        )
    except (OSError, ValueError):  # SpecPathError is a ValueError
        return None
    return data if isinstance(data, dict) else None
