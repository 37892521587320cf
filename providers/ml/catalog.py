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

from engine.artifacts import ArtifactStore, is_artifact_uri
from providers.ml.snapshot import read_manifest

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
    return read_manifest(ArtifactStore(artifacts_dir).path(uri))


def model_meta(uri: object, artifacts_dir: Path) -> dict[str, Any] | None:
    """The ``meta.json`` a training job stored beside a model, when the model is stored."""
    if not isinstance(uri, str) or not is_artifact_uri(uri):
        return None
    try:
        data = json.loads((ArtifactStore(artifacts_dir).path(uri) / MODEL_META).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
