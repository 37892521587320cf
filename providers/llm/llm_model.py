"""The ``llm_model`` provider: a base model from a folder, a GGUF file or a small config.

Plan time resolves the source and reads what it says about itself (``config.json`` or the GGUF
header): a missing folder, an unsupported architecture or a GPU that is not there is a
diagnostic before anything runs. ``source_sha256`` (the source's content hash, from the
distribution's RECORD for ``pkg:`` files) is a plan-time attribute, so an edited model folder
shows in the next plan. Apply converts the source into a float32 ``save_pretrained`` artifact in
a child process; the result is cached by source hash, config and library versions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from engine.expr.unknown import contains_unknown
from engine.hashing import sha256_json
from engine.providers import CheckFailure, PlanAttributeError
from engine.providers.paths import SpecPathError
from providers.llm.base import ArtifactJob
from providers.llm.common import library_versions
from providers.llm.errors import SourceError
from providers.llm.sources import (
    GGUF_ARCHITECTURES,
    SUPPORTED_ARCHITECTURES,
    fingerprint,
    model_info,
    resolve,
    text_fingerprint,
)
from specs.llm import LlmModelOutputs, LlmModelSpec

__all__ = ["LlmModelProvider"]

_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


class LlmModelProvider(ArtifactJob):
    type_name: ClassVar[str] = "llm_model"
    spec = LlmModelSpec
    outputs = LlmModelOutputs
    job_target: ClassVar[str] = "providers.llm.jobs.build:build_model"
    code_modules: ClassVar[tuple[str, ...]] = ("providers.llm.jobs.text", "providers.llm.manifest")
    plan_computed: ClassVar[tuple[str, ...]] = ("source_sha256",)

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"source_sha256": self.source_hash(spec)}
        except (SourceError, SpecPathError) as exc:
            field = "path" if spec.config is None else "config.tokenizer.data"
            raise PlanAttributeError(field, str(exc)) from None

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        failures = self.device_failures(spec.device)
        if spec.config is not None:
            return failures + self.source_failures(
                spec.config.tokenizer.data, "config.tokenizer.data"
            )
        if contains_unknown(spec.path):
            return failures
        try:
            source = resolve(spec.path, self.ctx.project, self.ctx.artifacts_dir)
            info = model_info(source)
            weighted = info.gguf or any(source.child(f).exists() for f in _WEIGHT_FILES)
        except (SourceError, SpecPathError) as exc:
            return [*failures, CheckFailure("path", str(exc))]
        known = GGUF_ARCHITECTURES if info.gguf else SUPPORTED_ARCHITECTURES
        if info.architecture not in known:
            kind = "GGUF architecture" if info.gguf else "architecture (model_type)"
            failures.append(
                CheckFailure(
                    "path",
                    f"unknown {kind} {info.architecture or '(none)'!r}; "
                    f"supported: {', '.join(sorted(known))}",
                )
            )
        if not weighted:
            failures.append(CheckFailure("path", f"{spec.path!r} has a config.json but no weights"))
        return failures

    def source_hash(self, spec: Any) -> str:
        """Content hash of the source: model files, or config and tokenizer text."""
        if spec.config is not None:
            texts = [
                text_fingerprint(v, self.ctx.project, self.ctx.artifacts_dir)
                for v in spec.config.tokenizer.data
            ]
            return sha256_json({"config": spec.config.model_dump(mode="json"), "text": texts})
        return fingerprint(resolve(spec.path, self.ctx.project, self.ctx.artifacts_dir))

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        spec = self.model(inputs)
        source = inputs.get("source_sha256") or self.source_hash(spec)
        libs = ["torch", "transformers", "safetensors"]
        libs += ["tokenizers"] if spec.config is not None else ["gguf"]
        return {
            "source": str(source),
            "config": sha256_json(spec.config.model_dump(mode="json") if spec.config else None),
            "libraries": sha256_json(library_versions(*libs)),
            "code": self.code_hash(),
        }

    def job_kwargs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        spec = self.model(inputs)
        source: dict[str, Any]
        if spec.config is not None:
            source = {"kind": "config", "config": spec.config.model_dump(mode="json")}
        else:
            path = resolve(spec.path, self.ctx.project, self.ctx.artifacts_dir).path
            gguf = path.name if path.is_file() else None
            source = {"kind": "gguf" if gguf else "folder", "path": str(path), "gguf_file": gguf}
        return {
            "source": source,
            "project_dir": str(self.ctx.project),
            "artifacts_dir": str(self.ctx.artifacts_dir),
            "device": spec.device.value,
        }
