"""Job: turn a model source (folder, GGUF file or config) into a model artifact.

Runs in a child process (``ctx.run_job("providers.llm.jobs.build:build_model", ...)``). Every
source ends as the same thing: a float32 ``save_pretrained`` folder with its tokenizer and a
manifest, checked by one forward pass on the requested device before it is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.llm.common import staging, store
from providers.llm.errors import NonFiniteLogitsError
from providers.llm.jobs.runtime import job_device, untyped
from providers.llm.jobs.text import read_documents
from providers.llm.manifest import write_manifest

__all__ = ["build_model", "train_tokenizer"]

EOS = "<|endoftext|>"
PAD = "<pad>"


def build_model(
    source: dict[str, Any], project_dir: str, artifacts_dir: str, device: str
) -> dict[str, Any]:
    """Build or convert the model ``source`` describes; return its artifact and facts."""
    import torch

    if source["kind"] == "config":
        model, tokenizer = _from_config(source["config"], Path(project_dir), Path(artifacts_dir))
    else:
        model, tokenizer = _from_path(Path(source["path"]), source.get("gguf_file"))
    used = job_device(device)
    _smoke_test(model.to(used), tokenizer, used)
    model = model.to("cpu").to(torch.float32)
    with staging(artifacts_dir) as folder:
        model.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
        parameters = sum(p.numel() for p in model.parameters())
        write_manifest(
            folder,
            {"format": "hf", "dtype": "float32", "parameters": parameters,
             "architecture": model.config.model_type},
        )  # fmt: skip
        uri, size = store(artifacts_dir, folder)
    return {
        "uri": uri,
        "parameters": parameters,
        "size_bytes": size,
        "architecture": model.config.model_type,
        "context_length": _context_length(model.config),
        "vocab_size": len(tokenizer),
        "device_used": used,
    }


def _context_length(config: Any) -> int:
    for key in ("max_position_embeddings", "n_positions", "n_ctx"):
        value = getattr(config, key, None)
        if isinstance(value, int):
            return value
    return 0


def _from_path(path: Path, gguf_file: str | None) -> tuple[Any, Any]:
    transformers = untyped("transformers")

    folder = path.parent if gguf_file else path
    model = transformers.AutoModelForCausalLM.from_pretrained(
        folder, gguf_file=gguf_file, dtype="float32"
    )
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
    return model, tokenizer


def train_tokenizer(docs: list[str], vocab_size: int) -> Any:
    """A byte-level BPE tokenizer trained on ``docs``, wrapped for transformers."""
    tokenizers = untyped("tokenizers")
    transformers = untyped("transformers")
    pre_tokenizers = tokenizers.pre_tokenizers

    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS, PAD],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(docs, trainer)
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=PAD
    )


def _from_config(config: dict[str, Any], project: Path, artifacts_dir: Path) -> tuple[Any, Any]:
    import torch

    transformers = untyped("transformers")

    spec_tok = config["tokenizer"]
    docs = read_documents(
        spec_tok["data"], project, artifacts_dir, spec_tok.get("text_field", "text")
    )
    tokenizer = train_tokenizer(docs, int(spec_tok.get("vocab_size", 512)))
    hidden, heads = int(config.get("hidden", 128)), int(config.get("heads", 4))
    inter = int(config.get("intermediate") or 4 * hidden)
    common = {
        "vocab_size": len(tokenizer),
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    layers, context = int(config.get("layers", 2)), int(config.get("context", 512))
    hf_config: Any
    if config.get("arch", "llama") == "gpt2":
        hf_config = transformers.GPT2Config(
            n_embd=hidden, n_layer=layers, n_head=heads, n_inner=inter, n_positions=context,
            **common,
        )  # fmt: skip
    else:
        hf_config = transformers.LlamaConfig(
            hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
            num_attention_heads=heads, num_key_value_heads=int(config.get("kv_heads") or heads),
            max_position_embeddings=context, tie_word_embeddings=True, **common,
        )  # fmt: skip
    torch.manual_seed(int(config.get("seed", 0)))
    return transformers.AutoModelForCausalLM.from_config(hf_config), tokenizer


def _smoke_test(model: Any, tokenizer: Any, device: str) -> None:
    import torch

    ids = tokenizer("The model loads.", return_tensors="pt").input_ids.to(device)
    with torch.inference_mode():
        logits = model(input_ids=ids).logits
    if not torch.isfinite(logits).all():
        raise NonFiniteLogitsError("the model produces non-finite logits")
