"""Job: compress a float model artifact (ONNX fp32/int8, torch dynamic int8, fp16/bf16).

- ``onnx-fp32``/``onnx-int8``: optimum's ``main_export`` with task
  ``text-generation-with-past``, then (int8) ONNX Runtime dynamic quantization of the MatMuls
  with constant weights, per channel by default; the output head and any node matching an
  ``exclude`` glob stay float.
- ``torch-int8``: ``torch.ao`` dynamic quantization of ``nn.Linear`` (GPT-2's ``Conv1D`` is
  first rewritten as ``nn.Linear``); saved as a state dict, see :mod:`providers.llm.manifest`.
- ``fp16``/``bf16``: the weights cast, saved with ``save_pretrained`` (CUDA only).

``quantization.smooth`` applies SmoothQuant (:mod:`providers.llm.jobs.smooth`) to the float model
first, for either backend. The ONNX export of a model is kept in the store under its own cache
key, so the fp32 and int8 variants of one model (and a sweep of int8 settings) export it once.

Every result is loaded back with :func:`providers.llm.jobs.loading.load_causal_lm` and run once
before it is stored, so a stored artifact is known to be runnable.
"""

from __future__ import annotations

import fnmatch
import shutil
import time
from pathlib import Path
from typing import Any

from engine.artifacts import ArtifactStore
from engine.hashing import sha256_json
from providers.llm.common import artifact_path, folder_size, library_versions, staging, store
from providers.llm.errors import ArtifactFormatError, NonFiniteLogitsError
from providers.llm.jobs.loading import conv1d_to_linear, load_causal_lm, quantize_modules
from providers.llm.jobs.runtime import job_device, untyped
from providers.llm.jobs.smooth import smooth
from providers.llm.jobs.text import read_documents
from providers.llm.manifest import TORCH_INT8_WEIGHTS, read_manifest, write_manifest

__all__ = ["compress"]


def compress(
    model: str,
    method: str,
    quantization: dict[str, Any],
    device: str,
    project_dir: str,
    artifacts_dir: str,
) -> dict[str, Any]:
    """Compress the artifact ``model`` with ``method``; return the compression's outputs."""
    started = time.monotonic()
    smoothing = _smoothing(quantization.get("smooth"), project_dir, artifacts_dir)
    source = artifact_path(artifacts_dir, model)
    if read_manifest(source)["format"] != "hf":
        raise ArtifactFormatError("compression needs a float model (llm_model or fine_tune)")
    used = job_device(device)
    with staging(artifacts_dir) as work:
        out = work / "out"
        out.mkdir()
        if method.startswith("onnx"):
            int8 = method == "onnx-int8"
            exported = _onnx_export(model, work, artifacts_dir, smoothing)
            facts = _onnx(exported, out, int8, quantization)
        elif method == "torch-int8":
            facts = _torch_int8(source, out, quantization, smoothing)
        else:
            facts = _cast(source, out, method)
        write_manifest(out, {"method": method, "source": model, **facts})
        _verify(out, "cpu" if facts["dtype"] == "int8" else used)
        uri, size = store(artifacts_dir, out)
    source_size = folder_size(source)
    return {
        "uri": uri,
        "format": facts["format"],
        "size_bytes": size,
        "source_size_bytes": source_size,
        "size_ratio": round(size / source_size, 4),
        "quantized": len(facts.get("quantized_modules", facts.get("quantized_nodes", []))),
        "kept_float": facts.get("kept_float", []),
        "duration_s": round(time.monotonic() - started, 2),
    }


def _excluded(name: str, patterns: list[str], keep_head: bool) -> bool:
    if keep_head and "lm_head" in name:
        return True
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _smoothing(
    smooth: dict[str, Any] | None, project_dir: str, artifacts_dir: str
) -> dict[str, Any] | None:
    """SmoothQuant settings with their calibration text read, or None."""
    if not smooth:
        return None
    field = smooth.get("text_field", "text")
    docs = read_documents(list(smooth["data"]), Path(project_dir), Path(artifacts_dir), field)
    return {"docs": docs, "alpha": smooth["alpha"], "max_tokens": smooth["max_tokens"]}


def _apply_smoothing(lm: Any, tokenizer: Any, smoothing: dict[str, Any] | None) -> int:
    if smoothing is None:
        return 0
    return smooth(lm, tokenizer, smoothing["docs"], smoothing["alpha"], smoothing["max_tokens"])


def _onnx(exported: Path, out: Path, int8: bool, quantization: dict[str, Any]) -> dict[str, Any]:
    for item in exported.iterdir():
        if not item.name.startswith("model.onnx") or not int8:
            shutil.copy2(item, out / item.name)
    if not int8:
        return {"format": "onnx", "dtype": "float32"}
    return {"format": "onnx", "dtype": "int8", **_onnx_quantize(exported, out, quantization)}


def _onnx_export(
    model: str, work: Path, artifacts_dir: str, smoothing: dict[str, Any] | None
) -> Path:
    """The ONNX export of ``model`` (smoothed first if asked), kept in the store for reuse."""
    from optimum.exporters.onnx import main_export

    artifacts = ArtifactStore(Path(artifacts_dir))
    libraries = library_versions("torch", "transformers", "optimum", "optimum-onnx", "onnx")
    key = sha256_json({"onnx-export": model, "libraries": libraries, "smoothing": smoothing})
    record = artifacts.cache_get(key)
    if record is not None:
        return artifacts.path(record["outputs"]["uri"])
    exported = work / "export"
    source = artifact_path(artifacts_dir, model)
    if smoothing is not None:
        source = _smoothed_copy(source, work / "smoothed", smoothing)
    main_export(str(source), output=exported, task="text-generation-with-past", device="cpu")
    uri = artifacts.put(exported)
    artifacts.cache_put(key, {"outputs": {"uri": uri}})
    return artifacts.path(uri)


def _onnx_quantize(exported: Path, out: Path, q: dict[str, Any]) -> dict[str, Any]:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    op_types = list(q.get("op_types") or ["MatMul"])
    graph = onnx.load(str(exported / "model.onnx"), load_external_data=False).graph
    weights = {init.name for init in graph.initializer}
    candidates = [
        n.name
        for n in graph.node
        # Only nodes with a stored weight: attention-score MatMuls multiply two activations.
        if n.op_type in op_types and any(i in weights for i in n.input)
    ]
    patterns = list(q.get("exclude", []))
    keep_head = bool(q.get("keep_lm_head_fp32", True))
    kept = [n for n in candidates if _excluded(n, patterns, keep_head)]
    weight_type = QuantType.QUInt8 if q.get("weight_type") == "quint8" else QuantType.QInt8
    quantize_dynamic(
        exported / "model.onnx",
        out / "model.onnx",
        weight_type=weight_type,
        per_channel=bool(q.get("per_channel", True)),
        reduce_range=bool(q.get("reduce_range") or False),
        op_types_to_quantize=op_types,
        nodes_to_exclude=kept,
        use_external_data_format=(exported / "model.onnx_data").exists(),
        extra_options={"MatMulConstBOnly": True},
    )
    return {
        "quantized_nodes": [n for n in candidates if n not in set(kept)],
        "kept_float": kept,
        "per_channel": bool(q.get("per_channel", True)),
    }


def _smoothed_copy(source: Path, dest: Path, smoothing: dict[str, Any]) -> Path:
    import torch

    transformers = untyped("transformers")
    lm = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    _apply_smoothing(lm, tokenizer, smoothing)
    lm.save_pretrained(dest, safe_serialization=True)
    tokenizer.save_pretrained(dest)
    return dest


def _torch_int8(
    source: Path, out: Path, q: dict[str, Any], smoothing: dict[str, Any] | None
) -> dict[str, Any]:
    import torch

    transformers = untyped("transformers")

    lm = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    _apply_smoothing(lm, tokenizer, smoothing)
    conv1d_to_linear(lm)
    linears = [n for n, m in lm.named_modules() if isinstance(m, torch.nn.Linear)]
    patterns = list(q.get("exclude", []))
    keep_head = bool(q.get("keep_lm_head_fp32", True))
    kept = [n for n in linears if _excluded(n, patterns, keep_head)]
    chosen = [n for n in linears if n not in set(kept)]
    per_channel = bool(q.get("per_channel", True))
    quantize_modules(lm, chosen, per_channel)
    torch.save(lm.state_dict(), out / TORCH_INT8_WEIGHTS)
    lm.config.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return {
        "format": "torch-int8",
        "dtype": "int8",
        "quantized_modules": chosen,
        "kept_float": kept,
        "per_channel": per_channel,
    }


def _cast(source: Path, out: Path, method: str) -> dict[str, Any]:
    import torch

    transformers = untyped("transformers")

    dtype = {"fp16": "float16", "bf16": "bfloat16"}[method]
    lm = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=getattr(torch, dtype))
    lm.save_pretrained(out, safe_serialization=True)
    transformers.AutoTokenizer.from_pretrained(source).save_pretrained(out)
    return {"format": "hf", "dtype": dtype}


def _verify(folder: Path, device: str) -> None:
    import torch

    lm = load_causal_lm(folder, device=device)
    ids = lm.tokenizer("A compressed model still runs.", return_tensors="pt").input_ids
    if not torch.isfinite(lm.logits(ids)).all():
        raise NonFiniteLogitsError("the compressed model produces non-finite logits")
