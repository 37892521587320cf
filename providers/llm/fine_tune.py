"""The ``fine_tune`` provider: train a model artifact further on text, in the job runner.

Every input is ``ForceNew`` (a fine-tune is a new model), so a changed learning rate replaces
the fine-tune and, through its unknown ``uri``, everything built from it. The cache key is made
of the base model's artifact hash, the text's content hashes, the hyperparameters, the device
and the library versions; an unchanged or reverted fine-tune reuses the stored model.
"""

from __future__ import annotations

from typing import Any, ClassVar

from engine.expr.unknown import is_unknown
from engine.hashing import sha256_json
from engine.providers import CheckFailure
from providers.llm.base import ArtifactJob
from providers.llm.common import library_versions
from providers.llm.device import plan_device
from providers.llm.sources import text_fingerprint
from specs.llm import FineTuneOutputs, FineTuneSpec

__all__ = ["FineTuneProvider"]

_HYPERPARAMETERS = (
    "method", "lora", "steps", "epochs", "learning_rate", "batch_size", "seq_len",
    "warmup_steps", "weight_decay", "max_grad_norm", "seed", "eval_fraction", "text_field",
)  # fmt: skip


class FineTuneProvider(ArtifactJob):
    type_name: ClassVar[str] = "fine_tune"
    spec = FineTuneSpec
    outputs = FineTuneOutputs
    job_target: ClassVar[str] = "providers.llm.jobs.train:fine_tune"
    code_modules: ClassVar[tuple[str, ...]] = ("providers.llm.jobs.text", "providers.llm.manifest")

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        failures = self.device_failures(spec.device)
        failures += self.model_uri_failures(spec.model, "model")
        failures += self.source_failures(spec.data, "data")
        failures += self.source_failures(spec.eval_data, "eval_data")
        if not spec.eval_data and spec.eval_fraction == 0:
            failures.append(
                CheckFailure("eval_fraction", "held-out loss needs eval_data or eval_fraction > 0")
            )
        failures += self.context_failures(spec.model, spec.seq_len, "seq_len")
        return failures

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        spec = self.model(inputs)
        settings = spec.model_dump(mode="json")

        def texts(values: list[str]) -> str:
            if any(is_unknown(v) for v in values):
                return "(unknown)"
            return sha256_json(
                [text_fingerprint(v, self.ctx.project, self.ctx.artifacts_dir) for v in values]
            )

        return {
            "model": str(spec.model).rsplit("/", 1)[-1],
            "data": texts(spec.data),
            "eval_data": texts(spec.eval_data),
            **{name: sha256_json(settings[name]) for name in _HYPERPARAMETERS},
            "device": plan_device(spec.device),
            "libraries": sha256_json(library_versions("torch", "transformers", "peft")),
            "code": self.code_hash(),
        }

    def job_kwargs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        spec = self.model(inputs)
        settings = spec.model_dump(mode="json")
        return {
            "model": spec.model,
            "data": spec.data,
            "eval_data": spec.eval_data,
            "settings": {k: v for k, v in settings.items() if k not in ("model", "data")},
            "project_dir": str(self.ctx.project),
            "artifacts_dir": str(self.ctx.artifacts_dir),
        }
