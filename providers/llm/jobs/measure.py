"""Job: measure benchmark variants, each in its own process (so its peak memory is its own).

The job imports the heavy libraries once, then forks one process per variant, one after
another: every variant starts from the same warm interpreter without paying the imports again.
Nothing in the parent touches torch's thread pools, ONNX Runtime or CUDA before forking.

Forward latency is timed over ``repetitions`` calls after ``warmup`` calls at each shape, with
a fixed thread count; generation is greedy with a fixed number of new tokens; perplexity reads
the held-out text in non-overlapping windows. Every variant reads the same tokens (the
tokenizer travels with every artifact) so the comparison is fair.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import statistics
import time
import traceback
from pathlib import Path
from typing import Any

from providers.llm.common import artifact_path, folder_size
from providers.llm.errors import DeviceUnsupportedError, MeasurementError, TextError
from providers.llm.jobs.loading import CausalLM, load_causal_lm
from providers.llm.jobs.runtime import job_device, untyped
from providers.llm.jobs.text import read_documents
from providers.llm.manifest import read_manifest

__all__ = ["measure_variant", "measure_variants", "perplexity"]


def _rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


def measure_variants(
    models: list[str], settings: dict[str, Any], project_dir: str, artifacts_dir: str
) -> list[dict[str, Any]]:
    """Measure each artifact of ``models`` per the benchmark ``settings``, in order."""
    import torch  # noqa: F401  (imported before forking, so that children start warm)

    untyped("transformers").AutoTokenizer  # noqa: B018  (resolves the lazy import)
    if any(read_manifest(artifact_path(artifacts_dir, m))["format"] == "onnx" for m in models):
        untyped("optimum.onnxruntime")
    context = multiprocessing.get_context("fork")
    rows = []
    for model in models:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(
            target=_child, args=(send, model, settings, project_dir, artifacts_dir)
        )
        child.start()
        send.close()
        try:
            payload = receive.recv()
        except EOFError:
            payload = {"error": "the measuring process died (out of memory?)"}
        child.join()
        if "error" in payload:
            raise MeasurementError(f"measuring {model} failed: {payload['error']}")
        rows.append(payload["row"])
    return rows


def _child(send: Any, model: str, settings: dict[str, Any], project: str, store: str) -> None:
    try:
        send.send({"row": measure_variant(model, settings, project, store)})
    except Exception:
        send.send({"error": traceback.format_exc()})
    finally:
        send.close()


def measure_variant(
    model: str, settings: dict[str, Any], project_dir: str, artifacts_dir: str
) -> dict[str, Any]:
    """Measure the artifact ``model`` per the benchmark ``settings``; return its metrics."""
    import torch

    threads = int(settings["threads"])
    torch.set_num_threads(threads)
    path = artifact_path(artifacts_dir, model)
    device = job_device(settings["device"])
    before = _rss_mb()
    started = time.perf_counter()
    try:
        lm = load_causal_lm(path, device=device, threads=threads)
    except DeviceUnsupportedError:  # e.g. an int8 artifact on a CUDA host: use the CPU
        device = "cpu"
        lm = load_causal_lm(path, device=device, threads=threads)
    row: dict[str, Any] = {
        "format": lm.format,
        "device": device,
        "load_s": round(time.perf_counter() - started, 3),
        "load_rss_mb": round(_rss_mb() - before, 1),
        "size_mb": round(folder_size(path) / 1e6, 2),
    }
    row.update(_latency(lm, settings))
    if settings.get("generation"):
        row.update(_generation(lm, settings["generation"], int(settings["repetitions"])))
    if settings.get("perplexity"):
        row.update(_perplexity(lm, settings["perplexity"], Path(project_dir), Path(artifacts_dir)))
    row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if device == "cuda":
        row["peak_cuda_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return row


def _inputs(lm: CausalLM, batch: int, seq_len: int) -> Any:
    import torch

    generator = torch.Generator().manual_seed(batch * 100_003 + seq_len)
    return torch.randint(0, len(lm.tokenizer), (batch, seq_len), generator=generator)


def _timed(fn: Any, warmup: int, repetitions: int) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _latency(lm: CausalLM, settings: dict[str, Any]) -> dict[str, Any]:
    shapes = []
    for shape in settings["shapes"]:
        ids = _inputs(lm, int(shape["batch"]), int(shape["seq_len"]))
        times = _timed(
            lambda ids=ids: lm.logits(ids), int(settings["warmup"]), int(settings["repetitions"])
        )
        shapes.append(
            {
                "batch": int(shape["batch"]),
                "seq_len": int(shape["seq_len"]),
                "p50_ms": round(statistics.median(times), 3),
                "p95_ms": round(_percentile(times, 0.95), 3),
                "mean_ms": round(statistics.fmean(times), 3),
            }
        )
    first = shapes[0]
    return {"p50_ms": first["p50_ms"], "p95_ms": first["p95_ms"], "shapes": shapes}


def _generation(lm: CausalLM, generation: dict[str, Any], repetitions: int) -> dict[str, Any]:
    new_tokens = int(generation["new_tokens"])
    ids = _inputs(lm, 1, int(generation["prompt_tokens"]))
    times = _timed(lambda: lm.generate(ids, new_tokens), 1, max(1, min(3, repetitions)))
    seconds = statistics.median(times) / 1000
    return {"generate_ms": round(seconds * 1000, 2), "tokens_per_s": round(new_tokens / seconds, 2)}


def _perplexity(
    lm: CausalLM, spec: dict[str, Any], project: Path, artifacts_dir: Path
) -> dict[str, Any]:
    docs = read_documents(spec["data"], project, artifacts_dir, spec.get("text_field", "text"))
    return perplexity(lm, docs, int(spec.get("seq_len", 256)), spec.get("max_tokens"))


def perplexity(
    lm: CausalLM, docs: list[str], seq_len: int, max_tokens: int | None = None
) -> dict[str, Any]:
    """Perplexity of ``lm`` on ``docs`` (joined by end-of-sequence), in windows of ``seq_len``."""
    import torch

    eos = lm.tokenizer.eos_token_id
    ids: list[int] = []
    for doc in docs:
        ids.extend(lm.tokenizer(doc, add_special_tokens=False).input_ids)
        if eos is not None:
            ids.append(eos)
    if max_tokens:
        ids = ids[: int(max_tokens)]
    nll, count = 0.0, 0
    for start in range(0, len(ids) - 1, seq_len):
        window = torch.tensor([ids[start : start + seq_len]])
        if window.shape[1] < 2:
            continue
        logprobs = torch.log_softmax(lm.logits(window)[0, :-1], dim=-1)
        targets = window[0, 1:]
        nll -= float(logprobs.gather(1, targets[:, None]).sum())
        count += len(targets)
    if count == 0:
        raise TextError("the perplexity text has fewer than 2 tokens")
    loss = nll / count
    return {
        "eval_loss": round(loss, 5),
        "perplexity": round(math.exp(loss), 4),
        "eval_tokens": count,
    }
