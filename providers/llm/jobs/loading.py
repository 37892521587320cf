"""The one way to load any model artifact of this family: :func:`load_causal_lm`.

Its manifest (:mod:`providers.llm.manifest`) says how: an ``hf`` folder with
``from_pretrained``, an ``onnx`` folder with optimum's ``ORTModelForCausalLM``, a
``torch-int8`` state dict by rebuilding the model from its config, turning GPT-2 style
``Conv1D`` layers into ``nn.Linear``, quantizing the same modules the same way and loading the
state dict (a quantized model cannot ``save_pretrained``).

The jobs call it, and so does the GPU infra family's local server, each in a child process;
torch and friends are imported when it is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.llm.errors import ArtifactFormatError, DeviceUnsupportedError
from providers.llm.jobs.runtime import untyped
from providers.llm.manifest import TORCH_INT8_WEIGHTS, read_manifest

__all__ = ["CausalLM", "conv1d_to_linear", "load_causal_lm", "quantize_modules"]


@dataclass
class CausalLM:
    """A loaded model with the two calls serving and benchmarks need."""

    model: Any
    tokenizer: Any
    format: str
    device: str

    def logits(self, input_ids: Any, attention_mask: Any = None) -> Any:
        """Next-token logits for every position, as a float32 tensor on the CPU."""
        import torch

        input_ids = input_ids.to(self.device)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        with torch.inference_mode():
            if self.format == "onnx":
                out = self.model(input_ids=input_ids, attention_mask=attention_mask.to(self.device))
            else:
                out = self.model(
                    input_ids=input_ids,
                    attention_mask=attention_mask.to(self.device),
                    use_cache=False,
                )
        return out.logits.float().cpu()

    def generate(self, input_ids: Any, max_new_tokens: int, attention_mask: Any = None) -> Any:
        """Greedy continuation of ``input_ids`` by exactly ``max_new_tokens`` tokens."""
        import torch

        input_ids = input_ids.to(self.device)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        pad = self.tokenizer.pad_token_id
        if pad is None:
            pad = self.tokenizer.eos_token_id
        with torch.inference_mode():
            return self.model.generate(
                input_ids=input_ids,
                attention_mask=attention_mask.to(self.device),
                max_new_tokens=max_new_tokens,
                min_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=pad,
            ).cpu()


def load_causal_lm(path: str | Path, device: str = "cpu", threads: int | None = None) -> CausalLM:
    """Load the artifact folder ``path`` on ``device`` ("cpu" or "cuda") for inference."""
    import torch

    transformers = untyped("transformers")

    path = Path(path)
    if threads is not None:
        torch.set_num_threads(threads)
    manifest = read_manifest(path)
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    fmt = manifest["format"]
    if fmt == "onnx":
        model = _load_onnx(path, device, threads)
    elif fmt == "torch-int8":
        if device != "cpu":
            raise DeviceUnsupportedError("torch-int8 (dynamic quantization) runs on the CPU only")
        model = _load_torch_int8(path, manifest)
    elif fmt == "hf":
        dtype = getattr(torch, manifest.get("dtype", "float32"))
        model = transformers.AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(device)
    else:
        raise ArtifactFormatError(f"{path}: unknown artifact format {fmt!r}")
    if fmt != "onnx":
        model.eval()
    return CausalLM(model, tokenizer, fmt, device)


def _load_onnx(path: Path, device: str, threads: int | None) -> Any:
    import onnxruntime as ort
    from optimum.onnxruntime import ORTModelForCausalLM

    options = ort.SessionOptions()
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    provider = "CUDAExecutionProvider" if device == "cuda" else "CPUExecutionProvider"
    if provider not in ort.get_available_providers():
        raise DeviceUnsupportedError(f"ONNX Runtime here has no {provider} (onnxruntime-gpu)")
    return ORTModelForCausalLM.from_pretrained(
        path, provider=provider, session_options=options, use_io_binding=False
    )


def conv1d_to_linear(model: Any) -> int:
    """Replace every transformers ``Conv1D`` (GPT-2) by the equivalent ``nn.Linear``."""
    import torch

    conv1d = untyped("transformers.pytorch_utils").Conv1D

    replaced = 0
    for name, module in list(model.named_modules()):
        if not isinstance(module, conv1d):
            continue
        n_in, n_out = module.weight.shape
        linear = torch.nn.Linear(n_in, n_out)
        with torch.no_grad():
            linear.weight.copy_(module.weight.t())
            linear.bias.copy_(module.bias)
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name) if parent_name else model, child, linear)
        replaced += 1
    return replaced


def quantize_modules(model: Any, modules: list[str], per_channel: bool) -> Any:
    """Dynamically quantize the named ``nn.Linear`` modules of ``model`` to int8 (in place)."""
    import torch

    quantization = untyped("torch.ao.quantization")
    qconfig = (
        quantization.per_channel_dynamic_qconfig
        if per_channel
        else quantization.default_dynamic_qconfig
    )
    return quantization.quantize_dynamic(
        model, dict.fromkeys(modules, qconfig), dtype=torch.qint8, inplace=True
    )


def _load_torch_int8(path: Path, manifest: dict[str, Any]) -> Any:
    import torch

    transformers = untyped("transformers")

    config = transformers.AutoConfig.from_pretrained(path)
    model = transformers.AutoModelForCausalLM.from_config(config)
    conv1d_to_linear(model)
    quantize_modules(model, list(manifest["quantized_modules"]), bool(manifest["per_channel"]))
    state = torch.load(path / TORCH_INT8_WEIGHTS, map_location="cpu", weights_only=False)
    model.load_state_dict(state)
    return model
