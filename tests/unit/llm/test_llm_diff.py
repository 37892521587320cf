"""What a plan does with each change: replace, update or nothing (the engine cascades on these)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from llm_fakes import write_model_folder

from engine.expr.unknown import UNKNOWN
from engine.providers import ProviderContext
from providers.llm.benchmark import BenchmarkProvider
from providers.llm.compression import CompressionProvider
from providers.llm.fine_tune import FineTuneProvider
from providers.llm.llm_model import LlmModelProvider


def checked(provider: Any, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert result.failures == []
    return dict(result.inputs)


def applied(provider: Any, news: dict[str, Any], uri: str) -> dict[str, Any]:
    """Stored outputs as after a create: the inputs plus an artifact and a cache key."""
    return {**checked(provider, news), "uri": uri, "cache_key": "k"}


def test_compression_setting_change_replaces_it(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    provider = CompressionProvider(ctx)
    source, out = stored_model(64), stored_model(65)
    news = {"model": source, "method": "onnx-int8", "quantization": {"per_channel": True}}
    olds = applied(provider, news, out)
    assert not provider.diff("id", olds, checked(provider, news)).changes
    changed = {**news, "quantization": {"per_channel": False}}
    diff = provider.diff("id", olds, checked(provider, changed))
    assert diff.changes and diff.replaces == ["quantization"]


def test_unknown_upstream_model_replaces_the_compression(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    provider = CompressionProvider(ctx)
    news = {"model": stored_model(64), "method": "torch-int8"}
    olds = applied(provider, news, stored_model(65))
    diff = provider.diff("id", olds, checked(provider, {**news, "model": UNKNOWN}))
    assert diff.replaces == ["model"]


def test_fine_tune_learning_rate_replaces(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    provider = FineTuneProvider(ctx)
    news = {"model": stored_model(512), "data": ["data/train.txt"], "learning_rate": 1e-4}
    olds = applied(provider, news, stored_model(65))
    assert not provider.diff("id", olds, checked(provider, news)).changes
    diff = provider.diff("id", olds, checked(provider, {**news, "learning_rate": 2e-4}))
    assert diff.replaces == ["learning_rate"]


def test_fine_tune_cache_parts_name_the_changed_hyperparameter(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    provider = FineTuneProvider(ctx)
    news = {"model": stored_model(512), "data": ["data/train.txt"], "learning_rate": 1e-4}
    before = provider.cache_parts(checked(provider, news))
    after = provider.cache_parts(checked(provider, {**news, "learning_rate": 2e-4}))
    assert [k for k in before if before[k] != after[k]] == ["learning_rate"]
    assert provider.cache_key(checked(provider, news)) != provider.cache_key(
        checked(provider, {**news, "learning_rate": 2e-4})
    )


def test_fine_tune_cache_follows_the_data_content(
    ctx: ProviderContext, project: Path, stored_model: Callable[[int], str]
) -> None:
    provider = FineTuneProvider(ctx)
    inputs = checked(provider, {"model": stored_model(512), "data": ["data/train.txt"]})
    before = provider.cache_parts(inputs)
    (project / "data" / "train.txt").write_text("edited text\n")
    after = provider.cache_parts(inputs)
    assert [k for k in before if before[k] != after[k]] == ["data"]


def test_benchmark_gates_only_is_an_update(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    provider = BenchmarkProvider(ctx)
    variants = [{"name": "a", "model": stored_model(64)}, {"name": "b", "model": stored_model(65)}]
    news = {"variants": variants, "gates": {"size_ratio": "<= 1"}}
    olds = checked(provider, news)
    diff = provider.diff("id", olds, checked(provider, {**news, "gates": {"size_ratio": "<= 2"}}))
    assert diff.changes and diff.replaces == []
    unknown = [variants[0], {"name": "b", "model": UNKNOWN}]
    diff = provider.diff("id", olds, checked(provider, {**news, "variants": unknown}))
    assert diff.replaces == ["variants"]


def test_edited_model_folder_replaces_the_model(ctx: ProviderContext, project: Path) -> None:
    folder = write_model_folder(project / "models" / "m")
    provider = LlmModelProvider(ctx)
    olds = applied(provider, {"path": "models/m"}, "artifact://sha256/" + "0" * 64)
    olds["uri"] = None  # never stored here: only the source hash matters for this diff
    assert not provider.diff("id", olds, checked(provider, {"path": "models/m"})).changes
    (folder / "model.safetensors").write_bytes(b"new weights")
    diff = provider.diff("id", olds, checked(provider, {"path": "models/m"}))
    assert diff.replaces == ["source_sha256"]


def test_missing_artifact_is_drift_and_replaces(
    ctx: ProviderContext, stored_model: Callable[[int], str]
) -> None:
    provider = CompressionProvider(ctx)
    news = {"model": stored_model(64), "method": "onnx-fp32"}
    gone = "artifact://sha256/" + "f" * 64
    olds = applied(provider, news, gone)
    assert provider.read("id", olds).outs["uri"] == ""
    assert provider.diff("id", olds, checked(provider, news)).replaces == ["uri"]
    present = applied(provider, news, stored_model(65))
    assert provider.read("id", present).outs == present
