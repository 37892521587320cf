"""Where a served model lives, and whether it looks loadable, judged from small files only.

A local service takes an artifact URI (``artifact://sha256/…``, from the LLM family's
resources) or a model folder inside the project. At plan time nothing heavy is imported: the
folder must exist and hold what its format needs (the artifact manifest written by
:mod:`providers.llm.loading`, ``config.json``, the weights file of its format). Whether the
weights really load is the server's to say when it starts.
"""

from __future__ import annotations

import json
from pathlib import Path

from engine.artifacts import ArtifactStore, is_artifact_uri
from engine.providers.paths import resolve_in_project
from providers.llm.loading import TORCH_INT8_WEIGHTS, read_manifest

__all__ = ["model_problem", "resolve_model"]

_HF_WEIGHTS = ("*.safetensors", "*.bin", "*.pt", "*.pth")


def resolve_model(project_dir: str, artifacts_dir: Path, model: str) -> Path:
    """The folder of ``model``; raises ValueError when a path leaves the project."""
    if is_artifact_uri(model):
        return ArtifactStore(artifacts_dir).path(model)
    return resolve_in_project(project_dir, model)


def _has_any(folder: Path, patterns: tuple[str, ...]) -> bool:
    return any(next(folder.glob(p), None) is not None for p in patterns)


def model_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot be a model artifact, or None when it looks like one."""
    if not folder.exists():
        return f"no model at {folder}"
    if not folder.is_dir():
        return f"{folder} is a file; a model is a folder (save_pretrained or an artifact)"
    try:
        manifest = read_manifest(folder)
    except ValueError as exc:
        return f"{folder}: unreadable artifact manifest ({exc})"
    try:
        config = json.loads((folder / "config.json").read_text())
    except FileNotFoundError:
        return f"{folder} has no config.json: not a Hugging Face or artifact folder"
    except ValueError as exc:
        return f"{folder}/config.json is not JSON ({exc})"
    if not isinstance(config, dict) or "model_type" not in config:
        return f"{folder}/config.json names no model_type"
    fmt = manifest.get("format")
    needs = {
        "onnx": ("*.onnx",),
        "torch-int8": (TORCH_INT8_WEIGHTS,),
        "hf": _HF_WEIGHTS,
    }.get(str(fmt))
    if needs is None:
        return f"{folder}: unknown artifact format {fmt!r}"
    if not _has_any(folder, needs):
        return f"{folder} holds no weights for format {fmt} ({', '.join(needs)})"
    return None
