"""Lineage of a model artifact: what it was trained from, and which run trained it.

The deterministic part (dataset, params, estimator or code hash, seed, library versions) is in
the artifact's own ``meta.json``. The run that produced it (address, run id, log, time) is not
content, so it is kept in a record indexed by the model's URI in the job cache, written by the
training job that actually ran. A later cache hit reuses the artifact, and with it this record:
the parent run of a reused model is the run that really trained it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.artifacts import ArtifactStore
from engine.hashing import sha256_json
from providers.ml.catalog import model_meta

__all__ = ["model_lineage", "record_training_run"]


def _key(model_uri: str) -> str:
    return sha256_json({"type": "model.lineage", "model": model_uri})


def record_training_run(artifacts_dir: Path, model_uri: str, run: dict[str, Any]) -> None:
    # The record names the model, so `artifacts gc` drops it with the model.
    record = {"outputs": {"run": run}, "model": model_uri}
    ArtifactStore(artifacts_dir).cache_put(_key(model_uri), record)


def model_lineage(artifacts_dir: Path, model_uri: str) -> dict[str, Any]:
    """Everything known about how ``model_uri`` was made (empty when it is not stored)."""
    meta = model_meta(model_uri, artifacts_dir) or {}
    record = ArtifactStore(artifacts_dir).cache_get(_key(model_uri)) or {}
    keys = (
        "framework",
        "task",
        "estimator",
        "function",
        "code_hash",
        "params",
        "seed",
        "features",
        "target",
        "dataset",
        "dataset_sha256",
        "libraries",
        "train_metrics",
    )
    lineage = {k: meta[k] for k in keys if k in meta}
    run = record.get("outputs", {}).get("run")
    if run:
        lineage["parent_run"] = run
    return lineage
