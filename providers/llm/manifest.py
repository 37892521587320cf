"""What a model artifact says it is: its manifest, ``opspec-model.json``.

Artifacts are folders whose manifest's ``format`` says how to load them (folders without one
are plain Hugging Face folders, or ONNX ones when they hold ``model.onnx``):

- ``hf``: a ``save_pretrained`` folder (float32, float16 or bfloat16 weights) plus tokenizer.
- ``onnx``: an optimum ONNX Runtime folder (``model.onnx`` exported with past key/values,
  ``config.json``, tokenizer).
- ``torch-int8``: ``config.json``, tokenizer and :data:`TORCH_INT8_WEIGHTS`, the state dict of
  a torch dynamically quantized model; the manifest lists the quantized modules and the
  qconfig (see :mod:`providers.llm.jobs.loading`).

Reading a manifest is cheap, so plan-time checks (here and in the GPU infra family) use it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["MANIFEST", "TORCH_INT8_WEIGHTS", "read_manifest", "write_manifest"]

MANIFEST = "opspec-model.json"
TORCH_INT8_WEIGHTS = "model_int8.pt"


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of an artifact folder (``{"format": "hf"}`` when it has none)."""
    try:
        manifest: dict[str, Any] = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        return {"format": "onnx" if (path / "model.onnx").exists() else "hf"}
    return manifest


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    (path / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
