"""SmoothQuant keeps the float model's function and makes its activations easier to quantize."""

from __future__ import annotations

import pytest

from providers.llm.jobs.smooth import smooth

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def tiny_llama_with_outliers() -> object:
    config = transformers.LlamaConfig(
        vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config).eval()
    with torch.no_grad():
        for layer in model.model.layers:  # a few loud channels, as in trained models
            layer.mlp.up_proj.weight[3] *= 40
            layer.input_layernorm.weight[5] = 30.0
    return model


class Tokens:
    """A stand-in tokenizer: characters to ids."""

    def __call__(self, text: str, add_special_tokens: bool = False) -> object:
        return type("Encoded", (), {"input_ids": [ord(c) % 64 for c in text]})()


def down_input_error(model: object) -> float:
    """Relative error of per-tensor uint8 quantization of every down_proj input."""
    errors = []

    def hook(module: object, inputs: tuple[object, ...]) -> None:
        x = inputs[0]
        lo, hi = min(float(x.min()), 0.0), max(float(x.max()), 0.0)
        scale = (hi - lo) / 255
        q = (torch.clamp(torch.round((x - lo) / scale), 0, 255) * scale) + lo
        errors.append(float((x - q).norm() / x.norm()))

    hooks = [layer.mlp.down_proj.register_forward_pre_hook(hook) for layer in model.model.layers]
    with torch.inference_mode():
        model(input_ids=torch.arange(48)[None] % 64)
    for h in hooks:
        h.remove()
    return sum(errors) / len(errors)


def test_smoothing_is_exact_in_float_and_shrinks_quantization_error() -> None:
    model = tiny_llama_with_outliers()
    ids = torch.arange(40)[None] % 64
    with torch.inference_mode():
        before = model(input_ids=ids).logits
    error_before = down_input_error(model)
    docs = ["the quick brown fox jumps over the lazy dog " * 8]
    assert smooth(model, Tokens(), docs, alpha=0.8, max_tokens=512) == 8
    with torch.inference_mode():
        after = model(input_ids=ids).logits
    assert torch.allclose(before, after, atol=1e-4, rtol=1e-4)
    assert down_input_error(model) < error_before / 2


def test_smoothing_refuses_other_architectures() -> None:
    config = transformers.GPT2Config(n_embd=16, n_layer=1, n_head=2, vocab_size=64)
    with pytest.raises(ValueError, match="smoothing supports"):
        smooth(transformers.GPT2LMHeadModel(config), Tokens(), ["text"], 0.5, 64)
