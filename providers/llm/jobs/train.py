"""Job: fine-tune a model artifact on text (full or LoRA) and store the result as a new artifact.

Text is tokenized, joined with end-of-sequence tokens and cut into ``seq_len`` blocks; held-out
blocks come from ``eval_data`` or a seeded share of the blocks. The loop is plain PyTorch
(AdamW, linear warm-up and decay, gradient clipping) so that it is short, seeded and the same on
every device; LoRA adapters are merged into the weights before saving, so every later step sees
an ordinary float model.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Any

from providers.llm.common import artifact_path, staging, store
from providers.llm.errors import ArtifactFormatError, TextError
from providers.llm.jobs.runtime import job_device, untyped
from providers.llm.jobs.text import read_documents
from providers.llm.manifest import read_manifest, write_manifest

__all__ = ["evaluate", "fine_tune"]


def fine_tune(
    model: str, data: list[str], eval_data: list[str], settings: dict[str, Any],
    project_dir: str, artifacts_dir: str,
) -> dict[str, Any]:  # fmt: skip
    """Train per ``settings`` (the fine_tune spec's fields); return outputs of the resource."""
    import torch

    transformers = untyped("transformers")
    started = time.monotonic()
    seed = int(settings["seed"])
    random.seed(seed)
    torch.manual_seed(seed)
    device = job_device(settings["device"])
    source = artifact_path(artifacts_dir, model)
    if read_manifest(source)["format"] != "hf":
        raise ArtifactFormatError("fine-tuning needs a float model (llm_model or fine_tune)")
    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    lm = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32).to(device)
    train, held = _datasets(data, eval_data, settings, tokenizer, project_dir, artifacts_dir)
    batch_size = int(settings["batch_size"])
    eval_before = evaluate(lm, held, batch_size, device)
    if settings["method"] == "lora":
        lm = _with_lora(lm, settings.get("lora") or {})
    trainable = sum(p.numel() for p in lm.parameters() if p.requires_grad)
    epochs = float(settings["epochs"] or 1.0)
    steps = int(settings["steps"] or math.ceil(epochs * len(train) / batch_size))
    history = _train(lm, train, steps, settings, device)
    eval_after = evaluate(lm, held, batch_size, device)
    if settings["method"] == "lora":
        lm = lm.merge_and_unload()
    uri, parameters = _save(lm.to("cpu"), tokenizer, model, artifacts_dir)
    return {
        "uri": uri,
        "loss_history": [round(x, 5) for x in history],
        "train_loss": round(sum(history[-5:]) / len(history[-5:]), 5),
        "eval_loss_before": round(eval_before, 5),
        "eval_loss": round(eval_after, 5),
        "eval_perplexity": round(math.exp(eval_after), 4),
        "steps_run": steps,
        "tokens_trained": steps * batch_size * int(settings["seq_len"]),
        "parameters": parameters,
        "trainable_parameters": trainable,
        "duration_s": round(time.monotonic() - started, 2),
        "device_used": device,
    }


def _datasets(
    data: list[str], eval_data: list[str], settings: dict[str, Any], tokenizer: Any,
    project_dir: str, artifacts_dir: str,
) -> tuple[list[list[int]], list[list[int]]]:  # fmt: skip
    """Training and held-out blocks of ``seq_len`` tokens."""
    project, store_dir = Path(project_dir), Path(artifacts_dir)
    field, seq_len = settings["text_field"], int(settings["seq_len"])
    blocks = _blocks(read_documents(data, project, store_dir, field), tokenizer, seq_len)
    if not eval_data:
        return _split(blocks, float(settings["eval_fraction"]), int(settings["seed"]))
    held = _blocks(read_documents(eval_data, project, store_dir, field), tokenizer, seq_len)
    return blocks, held


def _save(lm: Any, tokenizer: Any, base: str, artifacts_dir: str) -> tuple[str, int]:
    parameters = sum(p.numel() for p in lm.parameters())
    with staging(artifacts_dir) as folder:
        lm.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
        manifest = {"format": "hf", "dtype": "float32", "parameters": parameters,
                    "architecture": lm.config.model_type, "fine_tuned_from": base}  # fmt: skip
        write_manifest(folder, manifest)
        uri, _size = store(artifacts_dir, folder)
    return uri, parameters


def _blocks(docs: list[str], tokenizer: Any, seq_len: int) -> list[list[int]]:
    eos = tokenizer.eos_token_id
    ids: list[int] = []
    for doc in docs:
        ids.extend(tokenizer(doc, add_special_tokens=False).input_ids)
        if eos is not None:
            ids.append(eos)
    blocks = [ids[i : i + seq_len] for i in range(0, len(ids) - seq_len + 1, seq_len)]
    if not blocks:
        raise TextError(f"the text has {len(ids)} tokens, fewer than one block of {seq_len}")
    return blocks


def _split(blocks: list[list[int]], fraction: float, seed: int) -> tuple[list[Any], list[Any]]:
    order = list(range(len(blocks)))
    random.Random(seed).shuffle(order)
    n_held = max(1, round(len(blocks) * fraction))
    if n_held >= len(blocks):
        raise TextError(f"{len(blocks)} block(s) of text cannot be split into train and eval")
    held = sorted(order[:n_held])
    held_set = set(held)
    return [b for i, b in enumerate(blocks) if i not in held_set], [blocks[i] for i in held]


def evaluate(lm: Any, blocks: list[list[int]], batch_size: int, device: str) -> float:
    """Mean next-token loss over ``blocks``."""
    import torch

    lm.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for i in range(0, len(blocks), batch_size):
            batch = torch.tensor(blocks[i : i + batch_size], device=device)
            loss = lm(input_ids=batch, labels=batch, use_cache=False).loss
            total += float(loss) * len(batch)
            count += len(batch)
    return total / count


def _with_lora(lm: Any, lora: dict[str, Any]) -> Any:
    peft = untyped("peft")

    config = peft.LoraConfig(
        r=int(lora.get("r", 8)),
        lora_alpha=lora.get("alpha", 16.0),
        lora_dropout=float(lora.get("dropout", 0.05)),
        target_modules=lora.get("target_modules"),
        task_type="CAUSAL_LM",
    )
    return peft.get_peft_model(lm, config)


def _train(
    lm: Any, train: list[list[int]], steps: int, settings: dict[str, Any], device: str
) -> list[float]:
    import torch

    transformers = untyped("transformers")

    batch_size = int(settings["batch_size"])
    params = [p for p in lm.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        params, lr=float(settings["learning_rate"]), weight_decay=float(settings["weight_decay"])
    )
    schedule = transformers.get_linear_schedule_with_warmup(
        optimizer, int(settings["warmup_steps"]), steps
    )
    order_rng = random.Random(int(settings["seed"]))
    order: list[int] = []
    history = []
    lm.train()
    for step in range(steps):
        if len(order) < batch_size:
            fresh = list(range(len(train)))
            order_rng.shuffle(fresh)
            order.extend(fresh * max(1, math.ceil(batch_size / len(train))))
        picked, order = order[:batch_size], order[batch_size:]
        batch = torch.tensor([train[i] for i in picked], device=device)
        loss = lm(input_ids=batch, labels=batch, use_cache=False).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, float(settings["max_grad_norm"]))
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        history.append(float(loss.detach()))
        print(f"step {step + 1}/{steps} loss {history[-1]:.4f}", flush=True)
    lm.eval()
    return history
