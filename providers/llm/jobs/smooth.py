"""SmoothQuant for dynamic int8: move activation outliers into the weights before quantizing.

Dynamic int8 quantizes each activation tensor with one scale, so a few channels with large
values take the resolution from all the others. SmoothQuant (Xiao et al., 2023) divides input
channel ``j`` by ``s_j = max|x_j|^α / max|W_j|^(1-α)`` and multiplies the weights that read it
by ``s_j``: the float model computes the same function, and the activations become easier to
quantize. ``max|x_j|`` is measured on calibration text.

The division must fold exactly into the operation before the linear layer, which holds for
Llama-style blocks: the MLP down projection's input (folded into ``up_proj``'s output rows,
since the input is ``act(gate) * up``) and the attention q/k/v input (folded into
``input_layernorm``'s weight, an RMSNorm scale).
"""

from __future__ import annotations

from typing import Any

from providers.llm.errors import SmoothingError
from providers.llm.sources import SMOOTHABLE_ARCHITECTURES

__all__ = ["smooth"]


def smooth(model: Any, tokenizer: Any, docs: list[str], alpha: float, max_tokens: int) -> int:
    """Smooth ``model`` in place; return the number of linear inputs smoothed."""
    import torch

    if model.config.model_type not in SMOOTHABLE_ARCHITECTURES:
        supported = ", ".join(sorted(SMOOTHABLE_ARCHITECTURES))
        raise SmoothingError(f"smoothing supports {supported}, not {model.config.model_type}")
    maxima = _input_maxima(model, tokenizer, docs, max_tokens)
    count = 0
    with torch.no_grad():
        for layer in model.model.layers:
            mlp, attn = layer.mlp, layer.self_attn
            s = _scales(maxima[mlp.down_proj], [mlp.down_proj.weight], alpha)
            mlp.down_proj.weight.mul_(s[None, :])
            mlp.up_proj.weight.div_(s[:, None])
            if mlp.up_proj.bias is not None:
                mlp.up_proj.bias.div_(s)
            projections = [attn.q_proj, attn.k_proj, attn.v_proj]
            s = _scales(maxima[attn.q_proj], [p.weight for p in projections], alpha)
            for projection in projections:
                projection.weight.mul_(s[None, :])
            layer.input_layernorm.weight.div_(s)
            count += 4
    return count


def _scales(act_max: Any, weights: list[Any], alpha: float) -> Any:
    import torch

    weight_max = torch.stack([w.abs().amax(dim=0) for w in weights]).amax(dim=0)
    scales = act_max.clamp(min=1e-5) ** alpha / weight_max.clamp(min=1e-5) ** (1 - alpha)
    return scales.clamp(min=1e-5)


def _input_maxima(model: Any, tokenizer: Any, docs: list[str], max_tokens: int) -> dict[Any, Any]:
    """Largest absolute value of each input channel of the layers to smooth, over ``docs``."""
    import torch

    watched = [
        m for layer in model.model.layers for m in (layer.mlp.down_proj, layer.self_attn.q_proj)
    ]
    maxima: dict[Any, Any] = {}

    def record(module: Any, inputs: tuple[Any, ...]) -> None:
        x = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(dim=0)
        maxima[module] = torch.maximum(maxima[module], x) if module in maxima else x

    hooks = [m.register_forward_pre_hook(record) for m in watched]
    ids: list[int] = []
    for doc in docs:
        ids.extend(tokenizer(doc, add_special_tokens=False).input_ids)
    ids = ids[:max_tokens]
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(ids), 256):
                model(input_ids=torch.tensor([ids[start : start + 256]]), use_cache=False)
    finally:
        for hook in hooks:
            hook.remove()
    if len(maxima) != len(watched):
        raise SmoothingError("the calibration text is empty")
    return maxima
