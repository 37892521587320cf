"""Where models and text come from, and what can be learned about them cheaply at plan time.

A source is a project-relative path (it must not leave the project, symlinks resolved), a
``pkg:DIST/PATH`` URI (a file inside an installed distribution, found without importing it) or
an ``artifact://sha256/…`` URI in the store. Model facts needed by plan-time checks (model type,
context length) come from ``config.json`` or the key/value header of a GGUF file, never from
loading weights.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from engine.artifacts import is_artifact_uri
from engine.providers.paths import PathKind, SpecPath, SpecPathError, resolve_spec_path
from providers.llm.errors import SourceError

__all__ = [
    "GGUF_ARCHITECTURES",
    "SMOOTHABLE_ARCHITECTURES",
    "SUPPORTED_ARCHITECTURES",
    "ModelInfo",
    "architecture_of_artifact",
    "context_of_artifact",
    "fingerprint",
    "model_info",
    "read_gguf_metadata",
    "resolve",
    "text_fingerprint",
]

# Causal-LM model types the stack here (transformers 4.57 + optimum-onnx) loads and exports.
SUPPORTED_ARCHITECTURES = frozenset(
    {
        "bloom", "codegen", "falcon", "gemma", "gemma2", "gemma3_text", "gpt2", "gpt_bigcode",
        "gpt_neo", "gpt_neox", "gptj", "granite", "llama", "mistral", "mpt", "olmo", "olmo2",
        "opt", "phi", "phi3", "qwen2", "qwen3", "smollm3", "stablelm",
    }
)  # fmt: skip
# GGUF `general.architecture` values transformers can dequantize into a torch model.
GGUF_ARCHITECTURES = frozenset(
    {
        "bloom", "falcon", "gemma", "gemma2", "gemma3", "gpt2", "llama", "mistral", "nemotron",
        "phi3", "qwen2", "qwen3", "stablelm", "starcoder2",
    }
)  # fmt: skip
# Model types whose blocks SmoothQuant folds into exactly (see providers.llm.jobs.smooth).
SMOOTHABLE_ARCHITECTURES = frozenset({"llama", "mistral", "qwen2", "qwen3"})
_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "n_ctx", "seq_length")


def resolve(value: str, project: Path, artifacts_dir: Path) -> SpecPath:
    """Resolve ``value`` under the one path rule; SourceError with the reason if it cannot be."""
    try:
        return resolve_spec_path(value, project, artifacts_dir)
    except SpecPathError as exc:
        raise SourceError(str(exc)) from None


def fingerprint(resolved: SpecPath) -> str:
    """A content hash: the distribution's recorded sha256 if it has one, else a fresh hash."""
    if resolved.kind is PathKind.ARTIFACT:
        return resolved.path.name
    return resolved.sha256()


def text_fingerprint(value: str, project: Path, artifacts_dir: Path) -> str:
    """Content hash of a text source; an artifact URI already is one (checked, never read)."""
    return fingerprint(resolve(value, project, artifacts_dir))


# -- model facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    architecture: str
    context_length: int
    vocab_size: int
    gguf: bool = False


def model_info(source: SpecPath) -> ModelInfo:
    """What ``source`` (a model folder or a .gguf file) says about itself, cheaply."""
    path = source.path
    if path.is_file():
        if path.suffix != ".gguf":
            raise SourceError(f"{path.name} is neither a model folder nor a .gguf file")
        return _gguf_info(path)
    try:
        config_path = source.child("config.json")
    except SpecPathError as exc:
        raise SourceError(str(exc)) from None
    if not config_path.is_file():
        raise SourceError(f"{path.name}/ has no config.json (not a Hugging Face model folder)")
    try:
        config: dict[str, Any] = json.loads(config_path.read_text())
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path.name}/config.json is unreadable: {exc}") from None
    context = next((int(config[k]) for k in _CONTEXT_KEYS if k in config), 0)
    return ModelInfo(str(config.get("model_type", "")), context, int(config.get("vocab_size", 0)))


def _stored_model(uri: str, artifacts_dir: Path) -> ModelInfo | None:
    """What a stored model artifact says about itself; None if it is not stored (yet)."""
    if not is_artifact_uri(uri):
        return None
    try:
        return model_info(resolve_spec_path(uri, artifacts_dir, artifacts_dir))
    except (SourceError, SpecPathError):
        return None


def context_of_artifact(uri: str, artifacts_dir: Path) -> int | None:
    """The context length of a stored model artifact, or None if it is not stored yet."""
    info = _stored_model(uri, artifacts_dir)
    return (info.context_length or None) if info else None


def architecture_of_artifact(uri: str, artifacts_dir: Path) -> str | None:
    """The model type of a stored model artifact, or None if it is not stored (yet)."""
    info = _stored_model(uri, artifacts_dir)
    return (info.architecture or None) if info else None


# GGUF value types (ggml's gguf.h): fixed-size ones map to struct formats.
_GGUF_FIXED = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q"}
_GGUF_FIXED[12] = "d"
_GGUF_STRING, _GGUF_ARRAY = 8, 9


def _gguf_info(path: Path) -> ModelInfo:
    meta = read_gguf_metadata(path)
    arch = str(meta.get("general.architecture", ""))
    context = int(meta.get(f"{arch}.context_length", 0) or 0)
    vocab = int(meta.get(f"{arch}.vocab_size", 0) or meta.get("tokenizer.ggml.tokens", 0) or 0)
    return ModelInfo(arch, context, vocab, gguf=True)


def read_gguf_metadata(path: Path) -> dict[str, Any]:
    """The key/value header of a GGUF file; arrays are reduced to their length."""
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise SourceError(f"{path.name} is not a GGUF file")
        (version,) = struct.unpack("<I", f.read(4))
        count_fmt = "<I" if version == 1 else "<Q"
        size = struct.calcsize(count_fmt)
        _tensors = struct.unpack(count_fmt, f.read(size))[0]
        (kv_count,) = struct.unpack(count_fmt, f.read(size))
        meta: dict[str, Any] = {}
        for _ in range(kv_count):
            key = _read_string(f, size)
            (vtype,) = struct.unpack("<I", f.read(4))
            meta[key] = _read_value(f, vtype, size)
        return meta


def _read_string(f: BinaryIO, size: int) -> str:
    (length,) = struct.unpack("<Q" if size == 8 else "<I", f.read(size))
    return f.read(length).decode("utf-8", errors="replace")


def _read_value(f: BinaryIO, vtype: int, size: int) -> Any:
    if vtype in _GGUF_FIXED:
        fmt = "<" + _GGUF_FIXED[vtype]
        return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]
    if vtype == _GGUF_STRING:
        return _read_string(f, size)
    if vtype == _GGUF_ARRAY:
        (etype,) = struct.unpack("<I", f.read(4))
        (count,) = struct.unpack("<Q" if size == 8 else "<I", f.read(size))
        if etype in _GGUF_FIXED:
            f.seek(count * struct.calcsize("<" + _GGUF_FIXED[etype]), 1)
        elif etype == _GGUF_STRING:
            fmt = "<Q" if size == 8 else "<I"
            for _ in range(count):
                f.seek(struct.unpack(fmt, f.read(size))[0], 1)
        else:
            for _ in range(count):
                _read_value(f, etype, size)
        return count
    raise SourceError(f"unknown GGUF value type {vtype}")
