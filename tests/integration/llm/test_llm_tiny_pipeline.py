"""The LLM deployment pipeline end to end on a tiny model, at the provider level.

A two-layer Llama is built from a config with a tokenizer trained on generated text, fine-tuned
for a few steps, exported to ONNX int8 and quantized with torch int8, then benchmarked against
the fine-tuned model with gates. Every step runs through the real job runner (child processes,
logs under ``.opspec/runs``) and writes real artifacts; the whole module runs in well under two
minutes on two cores.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from engine.artifacts import ArtifactStore
from engine.providers import ProviderContext
from providers.llm.benchmark import BenchmarkProvider
from providers.llm.compression import CompressionProvider
from providers.llm.errors import GateFailedError
from providers.llm.fine_tune import FineTuneProvider
from providers.llm.llm_model import LlmModelProvider
from providers.llm.manifest import read_manifest

pytestmark = pytest.mark.slow

SUBJECTS = ["the on-call engineer", "the deploy", "the model", "a canary", "the scheduler"]
VERBS = ["rolls back", "checks", "pages", "measures", "restarts", "reviews"]
OBJECTS = ["the release", "the latency", "the dashboard", "every alert", "the replicas"]
TAILS = ["before noon.", "after the incident.", "on every shift.", "when it fires.", "again."]


def sentences(seed: int, count: int) -> str:
    rng = random.Random(seed)
    lines = [
        " ".join(rng.choice(words) for words in (SUBJECTS, VERBS, OBJECTS, TAILS)).capitalize()
        for _ in range(count)
    ]
    return "\n\n".join(" ".join(lines[i : i + 4]) for i in range(0, count, 4)) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("llm-project")
    (root / "data").mkdir()
    (root / "data" / "train.txt").write_text(sentences(0, 600))
    (root / "data" / "heldout.txt").write_text(sentences(1, 120))
    return root


def provider(cls: Any, project: Path, address: str) -> Any:
    return cls(ProviderContext(str(project), str(project / ".opspec"), address))


def apply(cls: Any, project: Path, address: str, news: dict[str, Any]) -> dict[str, Any]:
    p = provider(cls, project, address)
    checked = p.check({}, news)
    assert [f.reason for f in checked.failures] == []
    created = p.create(checked.inputs)
    assert created.id
    return dict(created.outs)


@pytest.fixture(scope="module")
def pipeline(project: Path) -> dict[str, dict[str, Any]]:
    base = apply(
        LlmModelProvider,
        project,
        "llm_model.tiny",
        {
            "config": {
                "arch": "llama", "layers": 2, "hidden": 64, "heads": 4, "kv_heads": 2,
                "context": 128, "tokenizer": {"data": ["data/train.txt"], "vocab_size": 300},
            },
            "device": "auto",
        },
    )  # fmt: skip
    tuned = apply(
        FineTuneProvider,
        project,
        "fine_tune.ops",
        {
            "model": base["uri"], "data": ["data/train.txt"], "eval_data": ["data/heldout.txt"],
            "steps": 30, "batch_size": 8, "seq_len": 32, "learning_rate": 3e-3,
        },
    )  # fmt: skip
    onnx = apply(
        CompressionProvider,
        project,
        "compression.onnx_int8",
        {
            "model": tuned["uri"],
            "method": "onnx-int8",
            "quantization": {"weight_type": "quint8", "smooth": {"data": ["data/train.txt"]}},
        },
    )
    torch_int8 = apply(
        CompressionProvider,
        project,
        "compression.torch_int8",
        {"model": tuned["uri"], "method": "torch-int8", "quantization": {"per_channel": True}},
    )
    bench = apply(
        BenchmarkProvider, project, "benchmark.variants", bench_inputs(tuned, onnx, torch_int8)
    )
    return {"base": base, "tuned": tuned, "onnx": onnx, "torch_int8": torch_int8, "bench": bench}


def bench_inputs(tuned: Any, onnx: Any, torch_int8: Any) -> dict[str, Any]:
    return {
        "variants": [
            {"name": "fp32", "model": tuned["uri"]},
            {"name": "onnx_int8", "model": onnx["uri"]},
            {"name": "torch_int8", "model": torch_int8["uri"], "gates": {"size_mb": "< 1000"}},
        ],
        "shapes": [{"batch": 1, "seq_len": 32}, {"batch": 2, "seq_len": 16}],
        "threads": 1,
        "warmup": 1,
        "repetitions": 3,
        "generation": {"prompt_tokens": 8, "new_tokens": 4},
        "perplexity": {"data": ["data/heldout.txt"], "seq_len": 64},
        "gates": {"size_ratio": "< 1", "perplexity_increase_pct": "<= 50"},
    }


def test_base_model_is_a_stored_artifact(pipeline: dict[str, Any], project: Path) -> None:
    base = pipeline["base"]
    assert base["architecture"] == "llama" and base["context_length"] == 128
    assert 50_000 < base["parameters"] < 500_000
    assert ArtifactStore(project / ".opspec" / "artifacts").exists(base["uri"])
    assert set(base["cache_parts"]) == {"source", "config", "libraries", "code"}


def test_fine_tune_lowers_held_out_loss(pipeline: dict[str, Any]) -> None:
    tuned = pipeline["tuned"]
    assert len(tuned["loss_history"]) == tuned["steps_run"] == 30
    assert tuned["eval_loss"] < tuned["eval_loss_before"] - 0.5
    assert tuned["loss_history"][-1] < tuned["loss_history"][0]
    assert tuned["uri"] != pipeline["base"]["uri"]


def test_compressed_artifacts_are_smaller(pipeline: dict[str, Any], project: Path) -> None:
    for name in ("onnx", "torch_int8"):
        out = pipeline[name]
        assert out["quantized"] > 0 and 0 < out["size_ratio"] < 1, out
    assert pipeline["onnx"]["format"] == "onnx"
    assert pipeline["torch_int8"]["format"] == "torch-int8"
    store = ArtifactStore(project / ".opspec" / "artifacts")
    formats = {
        read_manifest(store.path(pipeline[n]["uri"]))["format"] for n in pipeline if n != "bench"
    }
    assert formats == {"hf", "onnx", "torch-int8"}


def test_benchmark_measures_every_variant(pipeline: dict[str, Any], project: Path) -> None:
    bench = pipeline["bench"]
    assert list(bench["results"]) == ["fp32", "onnx_int8", "torch_int8"]
    for row in bench["results"].values():
        assert row["p50_ms"] > 0 and row["p95_ms"] >= row["p50_ms"]
        assert row["tokens_per_s"] > 0 and row["perplexity"] > 1 and row["peak_rss_mb"] > 0
        assert len(row["shapes"]) == 2
    assert bench["results"]["fp32"]["speedup"] == 1.0
    assert bench["passed"] and len(bench["gate_results"]) == 5
    report = ArtifactStore(project / ".opspec" / "artifacts").path(bench["report_uri"])
    assert {p.name for p in report.iterdir()} == {"report.json", "report.md", "chart.png"}
    assert (report / "chart.png").read_bytes()[:4] == b"\x89PNG"
    table = provider(BenchmarkProvider, project, "benchmark.variants").describe(bench)
    assert "| onnx_int8 |" in table and "perplexity" in table


def test_failing_gate_fails_with_the_measured_value(
    pipeline: dict[str, Any], project: Path
) -> None:
    p = provider(BenchmarkProvider, project, "benchmark.variants")
    olds = pipeline["bench"]
    news = p.check({}, {**bench_inputs(pipeline["tuned"], pipeline["onnx"], pipeline["torch_int8"]),
                        "gates": {"speedup": ">= 1000"}}).inputs  # fmt: skip
    with pytest.raises(GateFailedError) as failed:
        p.update("id", olds, news)
    measured = olds["results"]["onnx_int8"]["speedup"]
    assert f"gate speedup >= 1000 failed for variant onnx_int8: measured {measured}" in str(
        failed.value
    )


def test_reapply_is_a_cache_hit(pipeline: dict[str, Any], project: Path) -> None:
    runs = project / ".opspec" / "runs"
    before = sorted(runs.rglob("log.txt"))
    p = provider(FineTuneProvider, project, "fine_tune.ops")
    inputs = {k: v for k, v in pipeline["tuned"].items() if k in p.spec.model_fields}
    again = p.create(p.check({}, inputs).inputs)
    assert again.outs["uri"] == pipeline["tuned"]["uri"]
    assert sorted(runs.rglob("log.txt")) == before


def test_lora_fine_tune_merges_into_a_plain_model(pipeline: dict[str, Any], project: Path) -> None:
    news = {
        "model": pipeline["base"]["uri"], "data": ["data/train.txt"], "eval_fraction": 0.2,
        "method": "lora", "lora": {"r": 4, "alpha": 8}, "epochs": 0.2, "batch_size": 8,
        "seq_len": 32, "learning_rate": 1e-2,
    }  # fmt: skip
    out = apply(FineTuneProvider, project, "fine_tune.lora", news)
    assert 0 < out["trainable_parameters"] < out["parameters"] / 5
    assert out["parameters"] == pipeline["base"]["parameters"]
    assert out["steps_run"] == len(out["loss_history"]) >= 1
    folder = ArtifactStore(project / ".opspec" / "artifacts").path(out["uri"])
    assert read_manifest(folder)["format"] == "hf"
    assert not any("lora" in p.name for p in folder.iterdir())
