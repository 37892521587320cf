"""Fake model folders for plan-time tests: a config.json and a stand-in weights file."""

from __future__ import annotations

import json
from pathlib import Path


def write_model_folder(folder: Path, model_type: str = "llama", context: int = 256) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = {"model_type": model_type, "max_position_embeddings": context, "vocab_size": 300}
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "model.safetensors").write_bytes(b"not really weights")
    return folder
