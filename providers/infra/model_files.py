"""Where a served model lives, and whether it looks loadable, judged from small files only.

A local service takes an artifact URI (``artifact://sha256/…``, from the LLM family's
resources) or a model folder inside the project. At plan time nothing heavy is imported: the
folder must exist and hold what its format needs (the artifact manifest written by
:mod:`providers.llm.loading`, ``config.json``, the weights file of its format). Whether the
weights really load is the server's to say when it starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

from engine.providers.paths import (
    MissingPathError,
    PathKind,
    SpecPath,
    SpecPathError,
    resolve_in_project,
    resolve_spec_path,
)
from providers.llm.loading import TORCH_INT8_WEIGHTS, read_manifest

__all__ = ["model_problem", "resolve_model"]

_HF_WEIGHTS = ("*.safetensors", "*.bin", "*.pt", "*.pth")


def resolve_model(project_dir: str, artifacts_dir: Path, model: str) -> SpecPath:
    """The folder of ``model`` under the path rule; SpecPathError (a ValueError) when it leaves
    the project or the store. A missing folder is model_problem's to report."""
    try:
        return resolve_spec_path(model, project_dir, artifacts_dir)
    except MissingPathError:
        location = resolve_in_project(project_dir, model)
        return SpecPath(model, location, Path(project_dir).resolve(), PathKind.PROJECT)


def _has_any(files: Iterable[str], patterns: tuple[str, ...]) -> bool:
    return any(fnmatch(name, p) for name in files for p in patterns if "/" not in name)


def model_problem(source: SpecPath) -> str | None:
    """Why ``source`` cannot be a model artifact, or None when it looks like one."""
    folder = source.path
    if not folder.exists():
        return f"no model at {folder}"
    if not folder.is_dir():
        return f"{folder} is a file; a model is a folder (save_pretrained or an artifact)"
    try:
        # Every file is resolved: a manifest or config.json linked out of the folder's
        # project (or store) is refused before it is read.
        files = source.files()
        manifest = read_manifest(folder)
    except SpecPathError as exc:
        return str(exc)
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
    if not _has_any(files, needs):
        return f"{folder} holds no weights for format {fmt} ({', '.join(needs)})"
    return None
